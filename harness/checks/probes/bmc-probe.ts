import type { StartedContainer } from '../../runtime/started-container.ts';
import {
  bmcSensors,
  sensorValueOid,
  thresholdCrossedTrapOid,
} from '../../../sims/bmc/bmc-sensors.ts';
import type { StartedBmc } from '../../../sims/bmc/bmc.ts';
import { ipmiPort, snmpPort } from '../../../sims/bmc/bmc.ts';
import type { Readings } from '../../../sims/bmc/thermal-model.ts';

/**
 * The harness's own reads of a BMC, from an observer over the zone network, with the same tools an
 * operator uses (ipmitool over LAN, snmpget): independent of anything the stack under test reads.
 */
export interface SensorRead {
  protocol: 'ipmi' | 'snmp';
  /** Wall-clock window (epoch ms) in which the answer was produced. */
  startedAtMs: number;
  finishedAtMs: number;
  ok: boolean;
  readings?: Readings;
  command: string;
  output: string;
}

export async function readIpmi(observer: StartedContainer, bmc: StartedBmc): Promise<SensorRead> {
  const args = [
    'ipmitool',
    '-I',
    'lan',
    '-A',
    'MD5',
    '-H',
    bmc.address,
    '-p',
    String(ipmiPort),
    '-U',
    bmc.credentials.user,
    '-P',
    bmc.credentials.password,
    '-c',
    'sdr',
    'type',
    'Temperature',
  ];
  const startedAtMs = Date.now();
  const result = await observer.exec(args, { timeoutMs: 15_000 });
  const finishedAtMs = Date.now();
  const byName = new Map(
    result.stdout
      .split('\n')
      .map((line) => line.split(','))
      .map((f) => [f[0] ?? '', Number(f[1])]),
  );
  const values = bmcSensors.map((s) => byName.get(s.name));
  const ok = result.exitCode === 0 && values.every((v) => v !== undefined && Number.isFinite(v));
  return {
    protocol: 'ipmi',
    startedAtMs,
    finishedAtMs,
    ok,
    readings: ok ? toReadings(values) : undefined,
    command: `ipmitool -I lan -A MD5 -H ${bmc.address} -c sdr type Temperature`,
    output: (result.stdout || result.stderr).trim(),
  };
}

export async function readSnmp(observer: StartedContainer, bmc: StartedBmc): Promise<SensorRead> {
  const oids = bmcSensors.map(sensorValueOid);
  const args = [
    'snmpget',
    '-m',
    '',
    '-v2c',
    '-c',
    bmc.credentials.community,
    '-On',
    '-Oqv',
    '-t',
    '2',
    '-r',
    '1',
    `${bmc.address}:${snmpPort}`,
    ...oids,
  ];
  const startedAtMs = Date.now();
  const result = await observer.exec(args, { timeoutMs: 15_000 });
  const finishedAtMs = Date.now();
  const values = result.stdout
    .trim()
    .split(/\s+/)
    .map((v) => Number(v) / 10);
  const ok =
    result.exitCode === 0 &&
    values.length === oids.length &&
    values.every((v) => Number.isFinite(v));
  return {
    protocol: 'snmp',
    startedAtMs,
    finishedAtMs,
    ok,
    readings: ok ? toReadings(values) : undefined,
    command: `snmpget -v2c ${bmc.address} ${oids.join(' ')}`,
    output: (result.stdout || result.stderr).trim(),
  };
}

function toReadings(values: (number | undefined)[]): Readings {
  const [inlet = Number.NaN, cpu = Number.NaN, exhaust = Number.NaN] = values;
  return { inlet, cpu, exhaust };
}

const trapLog = '/tmp/sovh-traps.log';

/** Starts snmptrapd in an observer: the zone's management station, which receives the BMC's traps. */
export async function startTrapReceiver(observer: StartedContainer): Promise<void> {
  await observer.sh(
    `printf 'disableAuthorization yes\\n' > /tmp/sovh-snmptrapd.conf && ` +
      `snmptrapd -m '' -C -c /tmp/sovh-snmptrapd.conf -On -Lf ${trapLog} -p /tmp/sovh-snmptrapd.pid ` +
      `-F 'TRAP %#04.4y-%#02.2m-%#02.2lT%#02.2h:%#02.2j:%#02.2k.000Z from %b: %V~%v\\n' udp:162`,
  );
}

export interface ReceivedTrap {
  line: string;
  sensorIndex?: number;
  valueTenths?: number;
  state?: number;
}

/** The BMC threshold traps the observer's snmptrapd logged. */
export async function receivedTraps(observer: StartedContainer): Promise<ReceivedTrap[]> {
  const result = await observer.exec(['cat', trapLog]);
  return result.stdout
    .split('\n')
    .filter((line) => line.includes(thresholdCrossedTrapOid))
    .map((line) => ({
      line,
      sensorIndex: numberAfter(line, /\.1\.3\.6\.1\.2\.1\.99\.1\.1\.1\.4\.(\d+)/),
      valueTenths: numberAfter(line, /\.1\.3\.6\.1\.2\.1\.99\.1\.1\.1\.4\.\d+ = INTEGER: (-?\d+)/),
      state: numberAfter(
        line,
        /\.1\.3\.6\.1\.4\.1\.8072\.9999\.9999\.5\.1\.1\.1\.5\.\d+ = INTEGER: (\d+)/,
      ),
    }));
}

function numberAfter(text: string, pattern: RegExp): number | undefined {
  const match = pattern.exec(text)?.[1];
  return match === undefined ? undefined : Number(match);
}
