import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { describeError, SovhError } from '../util/sovh-error.ts';
import type { World } from '../world/world.ts';
import { leakRoutes, withdrawRoute } from './bgp-announcement.ts';
import { changeBootChain } from './boot-chain-change.ts';
import { auditDiskFull, auditTrailUnwritable } from './audit-disk.ts';
import { bmcProtocolSilence, bmcProtocols } from './bmc-protocol-silence.ts';
import { coolingFailure } from './cooling-failure.ts';
import { capSystemTls } from './crypto-policy-cap.ts';
import type { Fault } from './fault.ts';
import {
  cidrPattern,
  describeNodeKind,
  ipv4Pattern,
  parameter,
  type ParameterSpec,
  type WorldNodes,
} from './fault-parameters.ts';
import { foreignAddressOnMachine } from './foreign-address.ts';
import { cutHsmCable, hangHsm } from './hsm-cable-cut.ts';
import { machinePowerOff } from './machine-power.ts';
import { mainsFailure } from './mains-failure.ts';
import { offeredDefaultRoute } from './offered-default-route.ts';
import { opensslBroken, opensslVersionSkew } from './openssl-command.ts';
import { staleResolvConf } from './stale-resolv-conf.ts';
import { kmsOutage } from './kms-outage.ts';
import { kmsDestruction } from './kms-destruction.ts';
import { kmsRevocation } from './kms-revocation.ts';
import { replacePrimaryKey } from './primary-key-replacement.ts';
import { resolverOutage } from './resolver-outage.ts';
import { upsForcedShutdown } from './ups-forced-shutdown.ts';
import { bmcTrace, upsTrace } from './recorded-traces.ts';
import { parseBmcTrace } from '../../sims/bmc/bmc-trace.ts';
import { parseUpsTrace } from '../../sims/ups/ups-trace.ts';
import { revocationReasons } from '../../sims/kms/kms.ts';
import { migrateVm } from './vm-migration.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each spec's own type is kept by defineFault
type Specs = Record<string, ParameterSpec<any>>;
type Values<P extends Specs> = { [K in keyof P]: P[K] extends ParameterSpec<infer T> ? T : never };

/**
 * A kind of fault, by name, with typed parameters: what `sovh faults` lists and `sovh inject`
 * applies to a running world. `make` builds the same Fault a scenario passes to `context.inject`,
 * so a fault applied by hand is recorded exactly as a scenario's.
 */
export interface FaultType {
  name: string;
  description: string;
  /** What its heal undoes (and what it leaves). */
  heals: string;
  parameters: Readonly<Record<string, ParameterSpec<unknown>>>;
  make(values: Readonly<Record<string, unknown>>, world: World): Fault;
}

function defineFault<P extends Specs>(definition: {
  name: string;
  description: string;
  heals: string;
  parameters: P;
  make(values: Values<P>, world: World): Fault;
}): FaultType {
  return definition;
}

/** Every fault the scenarios use, by name. */
export const faultTypes: readonly FaultType[] = [
  defineFault({
    name: 'hsm-cut',
    description:
      "cuts an HSM's cable: its p11-kit server stops and its hosts can no longer reach it",
    heals: 'plugs the cable back in (same token and keys); hosts must recover by themselves',
    parameters: { hsm: parameter.node('hsm', 'the HSM to cut') },
    make: (v) => cutHsmCable(v.hsm),
  }),
  defineFault({
    name: 'hsm-hang',
    description:
      "hangs an HSM: its p11-kit server stops answering while its socket stays open, so its hosts' calls wait instead of failing",
    heals: 'lets it answer again: the calls that waited complete; hosts must recover by themselves',
    parameters: { hsm: parameter.node('hsm', 'the HSM to hang') },
    make: (v) => hangHsm(v.hsm),
  }),
  defineFault({
    name: 'mains-failure',
    description:
      'the mains feeding a UPS fail: it goes on battery and drains; the cooling of every machine it feeds stops',
    heals:
      'brings the mains and the cooling back; a machine that went down stays down until powered on',
    parameters: { ups: parameter.node('ups', 'the UPS whose mains fail') },
    make: (v) => mainsFailure(v.ups),
  }),
  defineFault({
    name: 'ups-trace',
    description:
      "a recorded UPS trace (a NUT dummy-ups .seq or an upslog file) replaces the UPS's battery model: upsd reports the trace's values on its timeline, then holds its last state",
    heals: 'hands the UPS back to its battery model',
    parameters: {
      ups: parameter.node('ups', 'the UPS that plays the trace'),
      file: parameter.file('the trace: a dummy-ups .seq or an upslog file', (text, path) => {
        parseUpsTrace(text, path);
      }),
      speedup: parameter.positiveNumber(
        'how many times faster than recorded it plays',
        "the world's speed-up",
      ),
    },
    make: (v) => upsTrace(v.ups, v.file, { speedup: v.speedup }),
  }),
  defineFault({
    name: 'bmc-trace',
    description:
      "recorded sensor readings (CSV: timestamp,sensor,value) replace a machine's thermal model for the sensors they name: its BMC serves them over IPMI and SNMP on the trace's timeline, then holds the last",
    heals: 'hands the sensors back to the thermal model',
    parameters: {
      machine: parameter.node('bmc-machine', 'the machine whose BMC plays the trace'),
      file: parameter.file('the readings: CSV of timestamp,sensor,value', (text, path) => {
        parseBmcTrace(text, path);
      }),
      speedup: parameter.positiveNumber(
        'how many times faster than recorded it plays',
        "the world's speed-up",
      ),
    },
    make: (v) => bmcTrace(v.machine, v.file, { speedup: v.speedup }),
  }),
  defineFault({
    name: 'ups-forced-shutdown',
    description:
      'a primary monitor orders a forced shutdown: upsd sets FSD on a UPS, whatever its charge',
    heals: 'clears FSD (as a restart of upsd does)',
    parameters: { ups: parameter.node('ups', 'the UPS that reports FSD') },
    make: (v) => upsForcedShutdown(v.ups),
  }),
  defineFault({
    name: 'bmc-protocol-silence',
    description:
      "one protocol of a machine's BMC stops answering (its agent hangs): requests on its port are dropped on arrival, the other protocol answers on",
    heals: 'lets the protocol answer again',
    parameters: {
      machine: parameter.node('bmc-machine', 'the machine whose BMC goes silent'),
      protocol: parameter.choice(bmcProtocols, 'the protocol that goes silent', 'ipmi'),
    },
    make: (v) => bmcProtocolSilence(v.machine, v.protocol),
  }),
  defineFault({
    name: 'cooling-failure',
    description: "the cooling of a machine's room fails or degrades: its temperatures climb",
    heals: 'turns the cooling back on',
    parameters: {
      machine: parameter.node('bmc-machine', 'the machine whose room loses cooling'),
      state: parameter.choice(['off', 'degraded'] as const, 'what is left of the cooling', 'off'),
    },
    make: (v) => coolingFailure(v.machine, v.state),
  }),
  defineFault({
    name: 'machine-power-off',
    description: 'a machine loses power: every host on it stops at once',
    heals: 'powers the machine on: its TPM starts afresh (PCRs reset) and its hosts boot cold',
    parameters: { machine: parameter.node('machine', 'the machine that loses power') },
    make: (v) => machinePowerOff(v.machine),
  }),
  defineFault({
    name: 'boot-chain-change',
    description:
      'power-cycles a machine with another boot chain: its firmware measures something else into PCR 7',
    heals: 'power-cycles it again with its original boot chain',
    parameters: {
      machine: parameter.node('machine', 'the machine to power-cycle'),
      chain: parameter.text('the boot chain it measures instead', {
        default: 'secure-boot:vendor-db-2026:shim-15.8:grub-2.12-UNSIGNED:linux-6.1',
      }),
    },
    make: (v) => changeBootChain(v.machine, v.chain),
  }),
  defineFault({
    name: 'vm-migration',
    description: 'restarts a VM, disks and all, on another machine (with its own TPM)',
    heals: 'moves it back to the machine it came from',
    parameters: {
      host: parameter.node('host', 'the VM to move'),
      machine: parameter.node('machine', 'the machine it moves to'),
    },
    make: (v) => migrateVm(v.host, v.machine),
  }),
  defineFault({
    name: 'openssl-version-skew',
    description:
      "a host's openssl command reports another patch release than the library its TLS client links, and the host reboots (the VM's boot bookkeeping is bypassed)",
    heals: 'removes the command for the next boot; it does not reboot',
    parameters: {
      host: parameter.node('host', 'the host whose installed OpenSSL drifts from its library'),
    },
    make: (v) => opensslVersionSkew(v.host),
  }),
  defineFault({
    name: 'openssl-broken',
    description:
      "a host's openssl command fails whatever it is asked (exit 127, as with a missing library), and the host reboots (the VM's boot bookkeeping is bypassed)",
    heals: 'removes the command for the next boot; it does not reboot',
    parameters: {
      host: parameter.node('host', 'the host whose openssl command is broken'),
    },
    make: (v) => opensslBroken(v.host),
  }),
  defineFault({
    name: 'crypto-policy-cap',
    description:
      "caps a host's OpenSSL system defaults below TLS 1.3 and reboots it (the VM's boot bookkeeping is bypassed)",
    heals: 'restores the configuration for the next boot; it does not reboot',
    parameters: {
      host: parameter.node('host', 'the host whose crypto policy is capped'),
      'max-protocol': parameter.choice(
        ['TLSv1.2', 'TLSv1.1', 'TLSv1'] as const,
        'the highest protocol left',
        'TLSv1.2',
      ),
    },
    make: (v) => capSystemTls(v.host, v['max-protocol']),
  }),
  defineFault({
    name: 'stale-resolv-conf',
    description:
      'reboots a host onto an immutable resolv.conf, left by an earlier boot, that names a server the site does not list',
    heals: 'nothing: the next boot of a correct stack rewrites the file, and teardown unlocks it',
    parameters: {
      host: parameter.node('host', 'the host that reboots'),
      server: parameter.text('the stale nameserver the locked file names', {
        pattern: ipv4Pattern,
        example: '10.43.0.2',
      }),
    },
    make: (v) => staleResolvConf(v.host, v.server),
  }),
  defineFault({
    name: 'primary-key-replacement',
    description:
      "someone with a machine's owner hierarchy evicts its TPM storage primary key and makes another at the same handle; its hosts are shut down first and left down",
    heals:
      'makes the original primary key again at the handle; the hosts stay down until booted or the machine is powered on',
    parameters: {
      machine: parameter.node('machine', 'the machine whose TPM primary key is replaced'),
      handle: parameter.text('the persistent handle of the primary key', {
        default: '0x81000001',
        pattern: /^0x81[0-9a-fA-F]{6}$/,
        example: '0x81000001',
      }),
    },
    make: (v) => replacePrimaryKey(v.machine, v.handle),
  }),
  defineFault({
    name: 'resolver-outage',
    description: 'a resolver stops answering: every query to it is dropped on arrival',
    heals: 'it answers again, with the same records',
    parameters: { resolver: parameter.node('resolver', 'the resolver that goes down') },
    make: (v) => resolverOutage(v.resolver),
  }),
  defineFault({
    name: 'audit-disk-full',
    description:
      "a host's audit disk fills up from the audit machine, leaving less room than the contract's 16 KiB",
    heals: "frees the disk; the host's services stay down until its next boot (Log-Or-Die)",
    parameters: {
      host: parameter.node('host', 'the host whose audit disk fills up'),
      'free-kib': parameter.positiveNumber('KiB left free on the disk', '8'),
    },
    make: (v) => auditDiskFull(v.host, Math.round((v['free-kib'] ?? 8) * 1024)),
  }),
  defineFault({
    name: 'audit-trail-unwritable',
    description:
      "a host's store audit trail can no longer be appended to, with room left on its audit disk",
    heals: "puts the trail back as it was; the host's services stay down until its next boot",
    parameters: { host: parameter.node('host', 'the host whose audit trail breaks') },
    make: (v) => auditTrailUnwritable(v.host),
  }),
  defineFault({
    name: 'kms-outage',
    description: 'a key server goes down: nothing answers on its address',
    heals: 'starts it again with the same CA, keys and database, once KMIP listens',
    parameters: { kms: parameter.node('kms', 'the key server that goes down') },
    make: (v) => kmsOutage(v.kms),
  }),
  defineFault({
    name: 'kms-revocation',
    description:
      "a key server revokes a host's key (KMIP Revoke) with the host's own credentials: a compromise makes it COMPROMISED, cessation of operation DEACTIVATED",
    heals: 'nothing: a revoked key stays revoked',
    parameters: {
      kms: parameter.node('kms', 'the key server that holds the key'),
      owner: parameter.node('host', 'the host that owns the key'),
      uid: parameter.text('the KMIP unique identifier of the key', { example: '3' }),
      reason: parameter.choice(revocationReasons, 'the KMIP revocation reason', 'key-compromise'),
    },
    make: (v) => kmsRevocation(v.kms, v.owner, v.uid, v.reason),
  }),
  defineFault({
    name: 'kms-destruction',
    description:
      "a key server destroys a host's key (KMIP Destroy) with the host's own credentials: it holds no such key afterwards",
    heals: 'nothing: a destroyed key stays destroyed',
    parameters: {
      kms: parameter.node('kms', 'the key server that holds the key'),
      owner: parameter.node('host', 'the host that owns the key'),
      uid: parameter.text('the KMIP unique identifier of the key', { example: '3' }),
    },
    make: (v) => kmsDestruction(v.kms, v.owner, v.uid),
  }),
  defineFault({
    name: 'route-leak',
    description: 'a router announces prefixes over BGP that it does not own',
    heals: 'withdraws them again',
    parameters: {
      router: parameter.node('router', 'the router that leaks'),
      prefixes: parameter.list('the prefixes it announces', {
        pattern: cidrPattern,
        example: '10.40.1.0/25',
      }),
      origin: parameter.positiveNumber(
        'the AS the leaked routes claim as their origin, behind the leaking AS (a domestic route passed on)',
        'none: the leaking router originates them',
      ),
    },
    make: (v) => leakRoutes(v.router, v.prefixes, v.origin),
  }),
  defineFault({
    name: 'route-withdrawal',
    description: 'a router withdraws a prefix it announces over BGP',
    heals: 'announces it again',
    parameters: {
      router: parameter.node('router', 'the router that withdraws'),
      prefix: parameter.text('the prefix withdrawn', {
        pattern: cidrPattern,
        example: '10.40.0.0/16',
      }),
    },
    make: (v) => withdrawRoute(v.router, v.prefix),
  }),
  defineFault({
    name: 'offered-default-route',
    description:
      "the network offers a host's machine a default route through a router of its zone (metric 100), as DHCP or a router advertisement would",
    heals: 'removes the route',
    parameters: {
      host: parameter.node('host', 'the host whose machine gets the route'),
      router: parameter.node('router', 'the router the route goes through'),
    },
    make: (v) => offeredDefaultRoute(v.host, v.router),
  }),
  defineFault({
    name: 'foreign-address',
    description:
      "a host's machine also answers on an address outside every domestic CIDR, reachable from a zone's observer",
    heals: 'removes the address and the route',
    parameters: {
      host: parameter.node('host', 'the host whose machine gets the address'),
      address: parameter.text('the foreign address', {
        pattern: ipv4Pattern,
        example: '10.80.0.200',
      }),
      zone: parameter.node('zone', "the zone whose observer calls the address (the host's zone)"),
    },
    make: (v, world) => {
      const observer = world
        .describe()
        .nodes.find((n) => n.role === 'observer' && n.zone === v.zone);
      if (observer === undefined)
        throw new SovhError('UNKNOWN_NODE', `zone ${v.zone} has no observer in this world`);
      return foreignAddressOnMachine({
        host: v.host,
        address: v.address,
        clientZone: v.zone,
        clientAddress: observer.address,
      });
    },
  }),
];

export function faultNames(): string[] {
  return faultTypes.map((f) => f.name);
}

/** A fault type by name; an unknown one is a bad-input error naming the known ones. */
export function faultType(name: string): FaultType {
  const found = faultTypes.find((f) => f.name === name);
  if (found === undefined) {
    throw new SovhError(
      'UNKNOWN_FAULT',
      `unknown fault "${name}"; known faults: ${faultNames().join(', ')} (\`npx sovh faults\` describes them)`,
    );
  }
  return found;
}

function flags(parameters: Readonly<Record<string, ParameterSpec<unknown>>>): string {
  const names = Object.keys(parameters);
  return names.length === 0
    ? 'it takes none'
    : `its parameters: ${names.map((n) => `--${n} <${parameters[n]?.type ?? ''}>`).join(', ')}`;
}

/**
 * Reads a fault's parameters as given (text from a command line, or typed values): unknown names,
 * values its schema refuses and nodes the world does not have are bad input, each named with the
 * fix. With the world's nodes, a node parameter left out defaults to the only node of its kind.
 */
export function resolveFaultParameters(
  type: FaultType,
  given: Readonly<Record<string, unknown>>,
  nodes?: WorldNodes,
  baseDir?: string,
): Record<string, unknown> {
  return resolveParameters(`fault ${type.name}`, type.parameters, given, nodes, baseDir);
}

/**
 * Reads a file parameter: its path from `baseDir` (absolute from then on), and its text checked
 * by the parameter's own check. A file that cannot be read is bad input naming the path.
 */
export function resolveFileParameter(
  name: string,
  spec: ParameterSpec<unknown>,
  raw: unknown,
  baseDir = process.cwd(),
): unknown {
  if (spec.file === undefined || typeof raw !== 'string' || raw === '') return raw;
  const path = resolvePath(baseDir, raw);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SovhError(
      'BAD_FAULT_PARAMETER',
      `--${name}: cannot read ${path} (${describeError(error)}); give the path of an existing file`,
    );
  }
  spec.file.check(text, path);
  return path;
}

/** A fault's file parameters made absolute from `baseDir` and checked; the others as given. */
export function resolveFaultFiles<V>(
  type: FaultType,
  given: Readonly<Record<string, V>>,
  baseDir = process.cwd(),
): Record<string, V | string> {
  const resolved: Record<string, V | string> = { ...given };
  for (const [name, spec] of Object.entries(type.parameters))
    if (spec.file !== undefined && given[name] !== undefined)
      resolved[name] = resolveFileParameter(name, spec, given[name], baseDir) as V | string;
  return resolved;
}

/**
 * The same reading for anything with typed parameters (`owner` names it in messages, e.g.
 * "fault hsm-cut" or "check keys-gone-from-memory").
 */
export function resolveParameters(
  owner: string,
  parameters: Readonly<Record<string, ParameterSpec<unknown>>>,
  given: Readonly<Record<string, unknown>>,
  nodes?: WorldNodes,
  baseDir?: string,
): Record<string, unknown> {
  for (const name of Object.keys(given)) {
    if (!(name in parameters)) {
      throw new SovhError(
        'BAD_FAULT_PARAMETER',
        `${owner} has no parameter --${name}; ${flags(parameters)}`,
      );
    }
  }
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(parameters)) {
    let raw = given[name];
    if (spec.node !== undefined && nodes !== undefined) {
      const known = nodes[spec.node];
      const kind = describeNodeKind(spec.node);
      if (raw === undefined) {
        if (known.length === 1) raw = known[0];
        else if (known.length === 0)
          throw new SovhError(
            'FAULT_NOT_APPLICABLE',
            `${owner} needs a ${kind} (--${name}), and this world has none`,
          );
        else
          throw new SovhError(
            'BAD_FAULT_PARAMETER',
            `${owner} needs --${name}: one of this world's ${kind}s ${known.join(', ')}`,
          );
      } else if (typeof raw === 'string' && !known.includes(raw)) {
        throw new SovhError(
          'UNKNOWN_NODE',
          `--${name}: this world has no ${kind} named "${raw}"; its ${kind}s: ${known.join(', ') || '(none)'}`,
        );
      }
    }
    if (raw === undefined && spec.defaultText === undefined) {
      throw new SovhError(
        'BAD_FAULT_PARAMETER',
        `${owner} needs --${name} <${spec.type}>: ${spec.description}`,
      );
    }
    const parsed = spec.schema.safeParse(resolveFileParameter(name, spec, raw, baseDir));
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => i.message).join('; ');
      throw new SovhError(
        'BAD_FAULT_PARAMETER',
        `--${name} "${String(raw)}" is not a valid ${spec.type} for ${owner}: ${why}`,
      );
    }
    values[name] = parsed.data;
  }
  return values;
}
