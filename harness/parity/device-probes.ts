import { parseBmcIdentity } from '../certify/bmc-identity.ts';
import { parseTpmProperties } from '../certify/tpm-properties.ts';
import type { StartedContainer } from '../runtime/started-container.ts';
import { SovhError } from '../util/sovh-error.ts';
import {
  ipmiPasswordVariable,
  lanplusArguments,
  lanplusCommandText,
  type LanplusLogin,
} from '../devices/ipmitool-args.ts';
import { entPhySensorTableOid, type BmcProbe } from './bmc-compare.ts';
import type { TpmProbe, UpsProbe } from './parity-compare.ts';
import {
  parsePcrBanks,
  parsePersistentHandles,
  parseSdrTemperature,
  parseSensorThresholds,
  parseSnmpWalk,
  parseTpmAlgorithms,
  parseUpsVariables,
} from './probe-output.ts';

/**
 * The read-only probes of `sovh parity`, run from a harness container (the observer image: tpm2-
 * tools, upsc, ipmitool, net-snmp) against one side, simulated or real. Nothing here writes to a
 * device: getcap, upsc, sdr and sensor get, mc info, snmpwalk.
 */

/** Which side a probe reads, for the messages: "the simulator" or "the real TPM". */
export type Side = 'simulator' | 'real';

function unreachable(side: Side, what: string, tried: string, error: string): SovhError {
  return new SovhError(
    side === 'real' ? 'PARITY_DEVICE_UNREACHABLE' : 'PARITY_SIMULATOR',
    `${side === 'real' ? 'the real' : 'the simulated'} ${what} did not answer \`${tried}\`: ${error}`,
  );
}

const lastLines = (text: string, n = 3) => text.trim().split('\n').slice(-n).join(' | ');

export async function probeTpm(
  container: StartedContainer,
  tcti: string,
  side: Side,
): Promise<TpmProbe> {
  const getcap = async (capability: string) => {
    const result = await container.exec(['tpm2_getcap', capability], {
      timeoutMs: 30_000,
      env: { TPM2TOOLS_TCTI: tcti },
    });
    if (result.exitCode !== 0)
      throw unreachable(
        side,
        `TPM at ${tcti}`,
        `tpm2_getcap ${capability}`,
        lastLines(result.stderr) || `exit ${String(result.exitCode)}`,
      );
    return result.stdout;
  };
  const properties = parseTpmProperties(await getcap('properties-fixed'));
  return {
    algorithms: parseTpmAlgorithms(await getcap('algorithms')),
    pcrBanks: parsePcrBanks(await getcap('pcrs')),
    persistentHandles: parsePersistentHandles(await getcap('handles-persistent')),
    properties,
  };
}

export async function probeUps(
  container: StartedContainer,
  target: string,
  side: Side,
): Promise<UpsProbe> {
  // A UPS whose driver has not handed upsd its data yet says WAIT (or "Data stale"): asked again
  // for up to 30 s, so that the comparison is of the UPS, not of its start.
  const deadline = Date.now() + 30_000;
  let result = await container.exec(['upsc', target], { timeoutMs: 20_000 });
  const waiting = () =>
    (result.exitCode === 0 && /^ups\.status:\s*WAIT\s*$/m.test(result.stdout)) ||
    (result.exitCode !== 0 && /Data stale|Driver not connected/i.test(result.stderr));
  while (waiting() && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 1_000));
    result = await container.exec(['upsc', target], { timeoutMs: 20_000 });
  }
  if (result.exitCode !== 0)
    throw unreachable(
      side,
      `UPS ${target}`,
      `upsc ${target}`,
      lastLines(result.stderr) || `exit ${String(result.exitCode)}`,
    );
  return { variables: parseUpsVariables(result.stdout) };
}

/** A BMC to probe: its lanplus login (with its cipher suite), password and SNMP agent. */
export interface BmcTarget extends LanplusLogin {
  password: string;
  /** How the password was given, for messages ("LAB_BMC_PASSWORD"). */
  passwordFrom: string;
  snmp?:
    | { version: '2c'; port: number; community: string }
    | {
        version: '3';
        port: number;
        user: string;
        authPassword: string;
        privPassword?: string;
      };
  /**
   * The OIDs the stack reads its sensors at (the profile's `snmpOid`s): read with snmpget where
   * the walk of entPhySensorTable did not return them (a vendor's own MIB).
   */
  sensorOids?: string[];
}

export async function probeBmc(
  container: StartedContainer,
  target: BmcTarget,
  side: Side,
): Promise<BmcProbe> {
  const where = `BMC at ${target.host}:${String(target.port)}`;
  const ipmitool = (args: string[]) =>
    container.exec(['ipmitool', ...args], {
      timeoutMs: 60_000,
      env: { [ipmiPasswordVariable]: target.password },
    });
  const lanplus = async (args: string[], expect: (stdout: string) => boolean) => {
    const result = await ipmitool([...lanplusArguments(target), ...args]);
    if (result.exitCode !== 0 || !expect(result.stdout))
      throw unreachable(
        side,
        `${where} (IPMI user ${target.user}, password from ${target.passwordFrom})`,
        lanplusCommandText(target, args),
        lastLines(result.stderr, 2) || `exit ${String(result.exitCode)}`,
      );
    return result.stdout;
  };
  const identity = parseBmcIdentity(
    await lanplus(['mc', 'info'], (out) => out.includes('Manufacturer ID')),
  );
  const sensors = parseSdrTemperature(
    await lanplus(['sdr', 'type', 'Temperature'], (out) => out.includes('|')),
  );
  const thresholds =
    sensors.length === 0
      ? {}
      : parseSensorThresholds(
          await lanplus(['sensor', 'get', ...sensors.map((s) => s.name)], (out) =>
            out.includes('Sensor ID'),
          ),
        );
  // IPMI 1.5 has no cipher suites: the session is MD5-authenticated, as the stack's own reads are.
  const lan = await ipmitool([
    '-I',
    'lan',
    '-A',
    'MD5',
    '-H',
    target.host,
    '-p',
    String(target.port),
    '-U',
    target.user,
    '-E',
    '-N',
    '2',
    '-R',
    '3',
    'mc',
    'info',
  ]);
  const ipmi15: BmcProbe['ipmi15'] =
    lan.exitCode === 0 && lan.stdout.includes('Manufacturer ID')
      ? { ok: true }
      : { ok: false, error: lastLines(lan.stderr, 1) || `exit ${String(lan.exitCode)}` };
  const probe: BmcProbe = { identity, sensors, thresholds, ipmi15 };
  if (target.snmp !== undefined)
    probe.snmp = await probeBmcSnmp(container, target, target.snmp, side);
  return probe;
}

/**
 * entPhySensorTable by snmpwalk, and each OID the stack reads that the walk did not return by
 * snmpget (an OID it does not have is left out: the comparison marks it).
 */
async function probeBmcSnmp(
  container: StartedContainer,
  target: BmcTarget,
  snmp: NonNullable<BmcTarget['snmp']>,
  side: Side,
): Promise<Record<string, string>> {
  const auth =
    snmp.version === '2c'
      ? ['-v2c', '-c', snmp.community]
      : [
          '-v3',
          '-u',
          snmp.user,
          '-l',
          snmp.privPassword === undefined ? 'authNoPriv' : 'authPriv',
          '-a',
          'SHA',
          '-A',
          snmp.authPassword,
          ...(snmp.privPassword === undefined ? [] : ['-x', 'AES', '-X', snmp.privPassword]),
        ];
  const agent = `${target.host}:${String(snmp.port)}`;
  const ask = async (tool: 'snmpwalk' | 'snmpget', oids: string[]) => {
    const result = await container.exec(
      [tool, ...auth, '-On', '-Oq', '-Oe', '-t', '2', '-r', '2', agent, ...oids],
      { timeoutMs: 60_000 },
    );
    // snmpget of an OID the agent lacks exits 1 with "no such": an answer, not silence.
    const answered =
      result.exitCode === 0 ||
      (tool === 'snmpget' && !/timeout|unknown host|authentication/i.test(result.stderr));
    if (!answered)
      throw unreachable(
        side,
        `BMC's SNMP agent at ${agent}`,
        `${tool} -v${snmp.version} ${oids.join(' ')}`,
        lastLines(result.stderr, 2) || `exit ${String(result.exitCode)}`,
      );
    return parseSnmpWalk(result.stdout);
  };
  const values = await ask('snmpwalk', [entPhySensorTableOid]);
  const missing = (target.sensorOids ?? [])
    .map((oid) => (oid.startsWith('.') ? oid : `.${oid}`))
    .filter((oid) => values[oid] === undefined);
  return missing.length === 0 ? values : { ...values, ...(await ask('snmpget', missing)) };
}
