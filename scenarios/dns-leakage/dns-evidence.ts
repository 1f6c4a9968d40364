import { machineProbe } from '../../harness/checks/probes/machine-probe.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import type { ResolverQuery } from '../../sims/resolver/unbound-config.ts';
import { asResolver } from '../../sims/resolver/resolver.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { StartedContainer } from '../../harness/runtime/started-container.ts';
import { observerAddress } from '../network-world/control-traffic.ts';
import { observerName } from '../../harness/topology/address-plan.ts';
import { isIPv6 } from 'node:net';

export interface Lookup {
  name: string;
  /** dig's status (NOERROR, NXDOMAIN, ...) or "TIMEOUT" when no server answered. */
  status: string;
  answers: string[];
  /** The server that answered, as dig reports it. */
  server: string;
}

/** dig's answer as a lookup (pure; exported for its unit test). */
export function parseDig(name: string, output: string): Lookup {
  const status = /status: ([A-Z]+)/.exec(output)?.[1] ?? 'TIMEOUT';
  const server = /^;; SERVER: ([\da-f.:]+)#/im.exec(output)?.[1] ?? '';
  const answers = output
    .split('\n')
    .filter((l) => !l.startsWith(';') && /\sIN\s+A\s/.test(l))
    .map((l) => l.trim().split(/\s+/).pop() ?? '');
  return { name, status, answers, server };
}

/**
 * Resolves names on the host's machine the way its programs do: through the namespace's
 * resolv.conf (the one the stack wrote), with dig from the harness's probe, which reports the
 * server that answered.
 */
export async function observeLookups(
  context: ScenarioContext,
  host: HostVm,
  names: readonly string[],
) {
  const probe = await machineProbe(context.world, host.machine);
  const lookups: Lookup[] = [];
  for (const name of names) {
    const result = await probe.exec(['dig', '+time=2', '+tries=1', name, 'A'], {
      timeoutMs: 20_000,
    });
    lookups.push(parseDig(name, result.stdout));
  }
  const resolvConf = (await probe.exec(['cat', '/etc/resolv.conf'], { timeoutMs: 5_000 })).stdout;
  return context.observe('lookups', { host: host.name, lookups, resolvConf });
}

export interface ResolverRecord {
  resolver: string;
  address: string;
  role: string;
  fromZone: ResolverQuery[];
}

/** What each resolver received from the zone, from its own query log. */
export async function observeResolvers(
  context: ScenarioContext,
  names: readonly string[],
  zoneCidrs: readonly string[],
) {
  for (const name of names) {
    const resolver = asResolver(context.world.sim(name));
    context.observe('resolver-record', {
      resolver: name,
      // The address the site file offers it by, and so the one a lookup through it names.
      address: resolver.offeredAddress,
      role: resolver.role,
      fromZone: await resolver.queriesFrom(zoneCidrs),
    } satisfies ResolverRecord);
  }
}

/** DNS's two transports: a fence may treat them apart (a rule for TCP 53 "for truncated answers"). */
export type DnsTransport = 'udp' | 'tcp';

/** One dig: through resolv.conf (no server named) or straight to `server`, over UDP or TCP. */
export async function dig(
  from: StartedContainer,
  name: string,
  server?: string,
  timeSeconds = 2,
  transport: DnsTransport = 'udp',
): Promise<Lookup> {
  const result = await from.exec(
    [
      'dig',
      `+time=${timeSeconds}`,
      '+tries=1',
      ...(transport === 'tcp' ? ['+tcp'] : []),
      ...(server === undefined ? [] : [`@${server}`]),
      name,
      'A',
    ],
    { timeoutMs: 30_000 },
  );
  return parseDig(name, result.stdout);
}

/** The harness's own query to a resolver, sent on purpose from a zone's observer. */
export interface DnsControl {
  from: string;
  /** The observer's address, from the harness's topology. */
  source: string;
  resolver: string;
  /** The control over UDP. */
  name: string;
  lookup: Lookup;
  /** The same control over TCP, with a name of its own: the log must show each transport. */
  tcpName: string;
  tcpLookup: Lookup;
}

export const dnsControl = observationKey<DnsControl>('dns-control');
const controlAttempts = 3;

/**
 * The positive control of a query log and of the exchange capture: a query for a name made for
 * the run, sent by a zone's observer (not the stack) straight to a resolver, across the routers a
 * leaked query would cross. A log or capture that misses it proves nothing by its silence.
 */
export async function sendControlQuery(
  context: ScenarioContext,
  zone: string,
  resolverName: string,
  name: string,
): Promise<DnsControl> {
  const observer = context.world.observer(zone);
  const resolver = asResolver(context.world.sim(resolverName));
  // Asked again while unanswered (a query lost on a loaded machine): an unanswered control
  // leaves the checks it proves "unknown", and the resolver logs every copy as the same control.
  const ask = async (queried: string, transport: DnsTransport) => {
    let lookup = await dig(observer, queried, resolver.offeredAddress, 2, transport);
    for (let attempt = 2; attempt <= controlAttempts && lookup.status === 'TIMEOUT'; attempt += 1)
      lookup = await dig(observer, queried, resolver.offeredAddress, 2, transport);
    return lookup;
  };
  const tcpName = `tcp-${name}`;
  // Sent in the family the resolver is offered by, from the observer's address in it.
  const source = isIPv6(resolver.offeredAddress)
    ? context.world.ipv6Address(zone, observerName(zone))
    : observerAddress(context.world, zone);
  return context.observe(dnsControl, {
    from: observer.nodeName,
    source,
    resolver: resolverName,
    name,
    lookup: await ask(name, 'udp'),
    tcpName,
    tcpLookup: await ask(tcpName, 'tcp'),
  });
}

/** A lookup through the C library (getent), as the host's programs resolve. */
export interface LibcLookup {
  name: string;
  resolved: boolean;
  addresses: string[];
}

export interface OutageLookups {
  host: string;
  /** The resolver that was down, and what the zone's observer got from it meanwhile. */
  resolver: string;
  confirmDown: Lookup;
  /** dig through the host's resolv.conf. */
  lookups: Lookup[];
  /** getent through the host's resolv.conf and the C library's fallback rules. */
  libc: LibcLookup[];
  /**
   * A program with a resolver of its own: a query straight to the foreign resolver (UDP), at the
   * address it is offered by.
   */
  direct: Lookup;
  /** The same over TCP, as a client does after a truncated answer or by choice. */
  directTcp: Lookup;
  directServer: string;
}

export const outageLookups = observationKey<OutageLookups>('outage-lookups');

/**
 * While a resolver is down: the zone's observer confirms it no longer answers (else the lookups
 * prove nothing about an outage); then, from the host's machine, names are looked up through the
 * host's resolv.conf (dig, and getent as the C library does it, fallbacks included) and straight
 * at the foreign resolver over UDP and over TCP, as a program with a built-in fallback resolver
 * would.
 */
export async function observeOutageLookups(
  context: ScenarioContext,
  host: HostVm,
  options: {
    down: string;
    foreign: string;
    zone: string;
    names: readonly string[];
    canary: string;
  },
): Promise<OutageLookups> {
  const down = asResolver(context.world.sim(options.down));
  const foreign = asResolver(context.world.sim(options.foreign));
  const confirmDown = await dig(
    context.world.observer(options.zone),
    options.canary,
    down.offeredAddress,
    1,
  );
  const probe = await machineProbe(context.world, host.machine);
  return context.observe(outageLookups, {
    host: host.name,
    resolver: options.down,
    confirmDown,
    ...(await lookupsEveryWay(probe, options.names, foreign.offeredAddress)),
  });
}

/** What a host's machine gets for names through every path a program takes (see OutageLookups). */
export type LookupsEveryWay = Pick<
  OutageLookups,
  'lookups' | 'libc' | 'direct' | 'directTcp' | 'directServer'
>;

/**
 * Looks names up from a host's machine every way its programs do: dig through the namespace's
 * resolv.conf, getent (the C library, its fallbacks included), and a query straight to
 * `foreignAddress` over UDP and over TCP, as a program with a built-in fallback resolver would.
 */
export async function lookupsEveryWay(
  probe: StartedContainer,
  names: readonly string[],
  foreignAddress: string,
): Promise<LookupsEveryWay> {
  const directName = names[0] ?? 'sovh-control.example';
  const [lookups, libc, direct, directTcp] = await Promise.all([
    Promise.all(names.map((name) => dig(probe, name))),
    Promise.all(
      names.map(async (name): Promise<LibcLookup> => {
        const result = await probe.exec(['getent', 'hosts', name], { timeoutMs: 30_000 });
        const addresses = result.stdout
          .split('\n')
          .map((l) => l.trim().split(/\s+/)[0] ?? '')
          .filter((a) => a !== '');
        return { name, resolved: result.exitCode === 0 && addresses.length > 0, addresses };
      }),
    ),
    dig(probe, directName, foreignAddress),
    dig(probe, directName, foreignAddress, 2, 'tcp'),
  ]);
  return { lookups, libc, direct, directTcp, directServer: foreignAddress };
}
