import type { BmcIdentity } from '../certify/bmc-identity.ts';
import type { TpmProperties } from '../certify/tpm-properties.ts';
import { renderTable } from '../bench/table-printer.ts';
import {
  thresholdNames,
  type SdrSensor,
  type SensorThresholds,
  type ThresholdName,
} from './probe-output.ts';

/** What the TPM probes read (tpm2_getcap algorithms, pcrs, handles-persistent, properties-fixed). */
export interface TpmProbe {
  algorithms: string[];
  pcrBanks: Record<string, number[]>;
  persistentHandles: string[];
  properties: TpmProperties;
}

/** What `upsc NAME@HOST:PORT` read. */
export interface UpsProbe {
  variables: Record<string, string>;
}

/** What the BMC probes read over IPMI (lanplus), IPMI 1.5 and, when given, SNMP. */
export interface BmcProbe {
  identity: BmcIdentity;
  sensors: SdrSensor[];
  thresholds: Record<string, SensorThresholds>;
  /** Whether IPMI 1.5 (`-I lan -A MD5`, what the stack speaks) answered; the error when not. */
  ipmi15: { ok: true } | { ok: false; error: string };
  /** entPhySensorTable and entPhysicalName by numeric OID; absent when SNMP was not compared. */
  snmp?: Record<string, string>;
}

export type RowVerdict = 'same' | 'differs' | 'only-simulator' | 'only-real';

/** One compared item: both sides' values, the verdict, and why it could change a check's verdict. */
export interface ParityRow {
  item: string;
  simulator: string;
  real: string;
  verdict: RowVerdict;
  /** Set when the difference could change a scenario's verdict: the reason. */
  couldChangeVerdict?: string;
}

export interface ParityDevice {
  kind: 'tpm' | 'ups' | 'bmc';
  /** How the profile reaches it: a TCTI, NAME@HOST:PORT, an IPMI address. */
  address: string;
  /** The profile's names that use it (machines, or the UPS's name in the scenarios). */
  usedBy: string[];
  rows: ParityRow[];
  /** What was not compared for this device, and why. */
  notCompared: string[];
}

export interface ParityReport {
  format: 'sovh-parity/1';
  profile: string;
  devices: ParityDevice[];
  notCompared: string[];
  /** Rows whose difference could change a verdict, over all devices. */
  verdictChanging: number;
}

const absent = '(absent)';

/** Compares a value present on both, one side only, or neither. */
function row(
  item: string,
  simulator: string | undefined,
  real: string | undefined,
  couldChange: (verdict: RowVerdict) => string | undefined,
  equal: (a: string, b: string) => boolean = (a, b) => a === b,
): ParityRow | undefined {
  if (simulator === undefined && real === undefined) return undefined;
  const verdict: RowVerdict =
    simulator === undefined
      ? 'only-real'
      : real === undefined
        ? 'only-simulator'
        : equal(simulator, real)
          ? 'same'
          : 'differs';
  const reason = verdict === 'same' ? undefined : couldChange(verdict);
  return {
    item,
    simulator: simulator ?? absent,
    real: real ?? absent,
    verdict,
    ...(reason === undefined ? {} : { couldChangeVerdict: reason }),
  };
}

const defined = <T>(value: T | undefined): value is T => value !== undefined;
const missingOnReal = (reason: string) => (verdict: RowVerdict) =>
  verdict === 'only-simulator' || verdict === 'differs' ? reason : undefined;
const never = () => undefined;

/**
 * Algorithms the stack and the harness use: the stack's primary key (ecc256, sha256, aes in CFB
 * mode for its symmetric part), its sealed KEK (keyedhash under a PCR policy), the certification
 * AK and quote (rsa, rsassa, sha256).
 */
export const usedTpmAlgorithms: Record<string, string> = {
  sha256: 'the boot binding policy and the quote hash with SHA-256',
  ecc: 'the stack makes its primary key as ecc256',
  aes: 'the primary key protects its children with AES',
  cfb: 'the primary key uses AES in CFB mode',
  keyedhash: 'the stack seals its KEK as a keyedhash object',
  rsa: 'certification makes an RSA EK and AK',
  rsassa: 'certification signs its quote with RSASSA',
};

/** The bank and PCR the boot binding seals to, and the bank the certification quotes. */
export const bootBindingBank = 'sha256';
export const bootBindingPcr = 7;
/** Where the stack persists its primary key (images/host: PRIMARY_HANDLE). */
export const stackPrimaryHandle = '0x81000001';

/** "0-23" or "0-7,10": runs of consecutive PCRs as ranges. */
export function pcrList(pcrs: readonly number[]): string {
  if (pcrs.length === 0) return 'none';
  const runs: string[] = [];
  let start = pcrs[0] ?? 0;
  let previous = start;
  for (const pcr of [...pcrs.slice(1), Number.NaN]) {
    if (pcr === previous + 1) {
      previous = pcr;
      continue;
    }
    runs.push(start === previous ? String(start) : `${String(start)}-${String(previous)}`);
    start = pcr;
    previous = pcr;
  }
  return runs.join(',');
}

export function compareTpm(simulator: TpmProbe, real: TpmProbe): ParityRow[] {
  const rows: (ParityRow | undefined)[] = [];
  const has = (probe: TpmProbe, alg: string) =>
    probe.algorithms.includes(alg) ? 'supported' : undefined;
  for (const [alg, use] of Object.entries(usedTpmAlgorithms))
    rows.push(
      row(`algorithm ${alg}`, has(simulator, alg), has(real, alg), missingOnReal(`needed: ${use}`)),
    );
  const others = [...new Set([...simulator.algorithms, ...real.algorithms])]
    .filter((alg) => !(alg in usedTpmAlgorithms))
    .sort();
  const sharedOthers = others.filter(
    (alg) => simulator.algorithms.includes(alg) && real.algorithms.includes(alg),
  );
  if (sharedOthers.length > 0)
    rows.push({
      item: 'other algorithms on both',
      simulator: String(sharedOthers.length),
      real: String(sharedOthers.length),
      verdict: 'same',
    });
  for (const alg of others.filter((a) => !sharedOthers.includes(a)))
    rows.push(row(`algorithm ${alg}`, has(simulator, alg), has(real, alg), never));
  const banks = [
    ...new Set([...Object.keys(simulator.pcrBanks), ...Object.keys(real.pcrBanks)]),
  ].sort();
  for (const bank of banks) {
    const sim = simulator.pcrBanks[bank];
    const lab = real.pcrBanks[bank];
    const used = bank === bootBindingBank;
    rows.push(
      row(
        `PCR bank ${bank}`,
        sim === undefined ? undefined : pcrList(sim),
        lab === undefined ? undefined : pcrList(lab),
        (verdict) => {
          if (!used || verdict === 'only-real') return undefined;
          if (lab === undefined || !lab.includes(bootBindingPcr))
            return `boot-binding seals to ${bootBindingBank}:${String(bootBindingPcr)} and certification quotes every ${bootBindingBank} PCR`;
          return `certification quotes every ${bootBindingBank} PCR`;
        },
      ),
    );
  }
  const handles = [...new Set([...simulator.persistentHandles, ...real.persistentHandles])].sort();
  if (handles.length === 0)
    rows.push({ item: 'persistent handles', simulator: 'none', real: 'none', verdict: 'same' });
  for (const handle of handles)
    rows.push(
      row(
        `persistent handle ${handle}`,
        simulator.persistentHandles.includes(handle) ? 'present' : undefined,
        real.persistentHandles.includes(handle) ? 'present' : undefined,
        (verdict) =>
          handle === stackPrimaryHandle && verdict === 'only-real'
            ? `the stack persists its primary key at ${stackPrimaryHandle}: an object already there is not the one it made`
            : undefined,
      ),
    );
  const props = (p: TpmProperties) => ({
    manufacturer: p.manufacturer,
    'vendor string': p.vendorString,
    firmware: p.firmwareVersion,
    family: p.family,
    revision: p.revision,
  });
  const sim = props(simulator.properties);
  const lab = props(real.properties);
  for (const key of Object.keys(sim) as (keyof typeof sim)[])
    rows.push(row(key, sim[key] || undefined, lab[key] || undefined, never));
  return rows.filter(defined);
}

/**
 * UPS variables the stack or the harness read: upsmon polls ups.status (OL, OB, LB, FSD decide
 * the stack's power events); the harness reads the battery's charge and runtime.
 */
export const usedUpsVariables: Record<string, string> = {
  'ups.status': "upsmon polls it: its flags decide the stack's power events",
  'battery.charge': 'the harness reads the charge of every UPS (status, outage checks)',
  'battery.runtime': 'the harness reads the runtime left of every UPS (outage checks)',
};

/** Variables that are readings of the moment, or name the driver's own files: only their presence is compared. */
function isReading(name: string): boolean {
  return (
    /^(battery|input|output|ambient)\./.test(name) ||
    ['ups.load', 'ups.temperature', 'ups.realpower', 'ups.power', 'driver.parameter.port'].includes(
      name,
    )
  );
}

const statusFlags = (status: string) =>
  status
    .split(/\s+/)
    .filter((w) => w !== '')
    .sort()
    .join(' ');

export function compareUps(simulator: UpsProbe, real: UpsProbe): ParityRow[] {
  const names = [
    ...new Set([...Object.keys(simulator.variables), ...Object.keys(real.variables)]),
  ].sort((a, b) => {
    const used = Number(b in usedUpsVariables) - Number(a in usedUpsVariables);
    return used !== 0 ? used : a.localeCompare(b);
  });
  return names
    .map((name) => {
      const use = usedUpsVariables[name];
      const reading = isReading(name);
      const r = row(
        name,
        simulator.variables[name],
        real.variables[name],
        (verdict) => {
          if (use === undefined) return undefined;
          if (verdict === 'only-simulator') return `missing on the real UPS: ${use}`;
          if (verdict === 'differs' && name === 'ups.status')
            return `the real UPS starts in another state: ${use}`;
          return undefined;
        },
        (a, b) => (name === 'ups.status' ? statusFlags(a) === statusFlags(b) : reading || a === b),
      );
      return r;
    })
    .filter(defined);
}

/** The sensors the stack reads, by their IPMI SDR name, with their ENTITY-SENSOR-MIB index. */
export const usedSensors: Record<string, number> = {
  'Inlet Temp': 1,
  'CPU Temp': 2,
  'Exhaust Temp': 3,
};

/** ENTITY-SENSOR-MIB entPhySensorTable columns: type, scale, precision, value. */
export const entPhySensorTableOid = '.1.3.6.1.2.1.99.1.1.1';
const sensorColumns: Record<string, string> = {
  '1': 'entPhySensorType',
  '2': 'entPhySensorScale',
  '3': 'entPhySensorPrecision',
  '4': 'entPhySensorValue',
};

function thresholdText(t: SensorThresholds | undefined): string | undefined {
  if (t === undefined) return undefined;
  const short: Record<ThresholdName, string> = {
    'Lower Non-Recoverable': 'lnr',
    'Lower Critical': 'lcr',
    'Lower Non-Critical': 'lnc',
    'Upper Non-Critical': 'unc',
    'Upper Critical': 'ucr',
    'Upper Non-Recoverable': 'unr',
  };
  const parts = thresholdNames
    .filter((n) => t[n] !== undefined)
    .map((n) => `${short[n]} ${String(t[n])}`);
  return parts.length === 0 ? 'none' : parts.join(' ');
}

export function compareBmc(simulator: BmcProbe, real: BmcProbe): ParityRow[] {
  const rows: (ParityRow | undefined)[] = [];
  const identity = (i: BmcIdentity) => ({
    manufacturer: `${i.manufacturerName ?? 'id'} (${String(i.manufacturerId)})`,
    product: `0x${i.productId.toString(16).padStart(4, '0')}${i.productName === undefined ? '' : ` ${i.productName}`}`,
    'firmware revision': i.firmwareRevision,
    'IPMI version': i.ipmiVersion,
  });
  const simId = identity(simulator.identity);
  const realId = identity(real.identity);
  for (const key of Object.keys(simId) as (keyof typeof simId)[])
    rows.push(row(key, simId[key], realId[key], never));
  const ipmi15 = (p: BmcProbe) => (p.ipmi15.ok ? 'answers' : `refused: ${p.ipmi15.error}`);
  rows.push(
    row('IPMI 1.5 login (lan, MD5)', ipmi15(simulator), ipmi15(real), (verdict) =>
      verdict === 'differs' && !real.ipmi15.ok
        ? 'the stack reads its sensors with `ipmitool -I lan -A MD5` when its protocol is ipmi'
        : undefined,
    ),
  );
  const byName = (p: BmcProbe) => new Map(p.sensors.map((s) => [s.name, s]));
  const simSensors = byName(simulator);
  const realSensors = byName(real);
  const names = [...new Set([...simSensors.keys(), ...realSensors.keys()])].sort((a, b) => {
    const used = Number(b in usedSensors) - Number(a in usedSensors);
    return used !== 0 ? used : a.localeCompare(b);
  });
  for (const name of names) {
    const used = name in usedSensors;
    const sensorText = (s: SdrSensor | undefined) =>
      s === undefined ? undefined : `${s.number}, ${s.unit === '' ? 'no reading' : s.unit}`;
    rows.push(
      row(
        `sensor ${name}`,
        sensorText(simSensors.get(name)),
        sensorText(realSensors.get(name)),
        (verdict) => {
          if (!used) return undefined;
          if (verdict === 'only-simulator')
            return `the stack reads "${name}" by that name (ipmitool sdr type Temperature)`;
          const unit = realSensors.get(name)?.unit;
          if (unit !== simSensors.get(name)?.unit)
            return `the stack takes "${name}" in ${simSensors.get(name)?.unit ?? 'degrees C'}; the real BMC gives ${unit === '' || unit === undefined ? 'no reading' : unit}`;
          return undefined;
        },
        // The sensor number is informative only: the stack finds a sensor by its name.
        (a, b) => a.split(', ')[1] === b.split(', ')[1],
      ),
    );
    rows.push(
      row(
        `thresholds ${name}`,
        simSensors.has(name) ? thresholdText(simulator.thresholds[name]) : undefined,
        realSensors.has(name) ? thresholdText(real.thresholds[name]) : undefined,
        never,
      ),
    );
  }
  if (simulator.snmp !== undefined && real.snmp !== undefined) {
    const sim = simulator.snmp;
    const lab = real.snmp;
    const oids = [...new Set([...Object.keys(sim), ...Object.keys(lab)])]
      .filter((oid) => oid.startsWith(`${entPhySensorTableOid}.`))
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    const usedIndexes = new Set(Object.values(usedSensors).map(String));
    for (const oid of oids) {
      const [column = '', index = ''] = oid.slice(entPhySensorTableOid.length + 1).split('.');
      const label = sensorColumns[column];
      if (label === undefined) continue;
      const used = usedIndexes.has(index);
      rows.push(
        row(
          `SNMP ${label}.${index}`,
          sim[oid],
          lab[oid],
          (verdict) => {
            if (!used || verdict === 'only-real') return undefined;
            if (verdict === 'only-simulator')
              return `the stack reads entPhySensorValue.${index} (its site file's snmpOid)`;
            return column === '4'
              ? undefined
              : `the stack scales entPhySensorValue by 0.1 (celsius, precision 1): another ${label} changes what it reads`;
          },
          // Values are readings of the moment: only their presence is compared.
          (a, b) => column === '4' || a === b,
        ),
      );
    }
  }
  return rows.filter(defined);
}

export function parityReport(profile: string, devices: ParityDevice[]): ParityReport {
  return {
    format: 'sovh-parity/1',
    profile,
    devices,
    notCompared: [
      'HSM (PKCS#11 mechanisms and key attributes): not compared: the profile has no HSM devices',
    ],
    verdictChanging: devices
      .flatMap((d) => d.rows)
      .filter((r) => r.couldChangeVerdict !== undefined).length,
  };
}

/** 0 when no difference could change a verdict, 1 otherwise. */
export function parityExitCode(report: ParityReport): number {
  return report.verdictChanging === 0 ? 0 : 1;
}

const verdictText: Record<RowVerdict, string> = {
  same: 'same',
  differs: 'DIFFERS',
  'only-simulator': 'only on simulator',
  'only-real': 'only on real',
};

const kindTitle = { tpm: 'TPM', ups: 'UPS', bmc: 'BMC' } as const;

/** The side-by-side tables, one per real device, and a closing line. */
export function renderParity(report: ParityReport): string {
  const out: string[] = [];
  for (const device of report.devices) {
    out.push(
      renderTable({
        title: `${kindTitle[device.kind]} ${device.address} (${device.usedBy.join(', ')})`,
        columns: ['item', 'simulator', 'real', 'verdict', 'could change a verdict'],
        rows: device.rows.map((r) => [
          r.item,
          r.simulator,
          r.real,
          verdictText[r.verdict],
          r.couldChangeVerdict === undefined ? '' : `YES: ${r.couldChangeVerdict}`,
        ]),
        note: device.notCompared.length === 0 ? undefined : device.notCompared.join('; '),
      }),
    );
    out.push('');
  }
  for (const line of report.notCompared) out.push(line);
  out.push(
    report.verdictChanging === 0
      ? 'parity: no difference could change a verdict'
      : `parity: ${String(report.verdictChanging)} difference(s) could change a verdict (marked YES)`,
  );
  return out.join('\n');
}
