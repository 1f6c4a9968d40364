import type { TpmProperties } from '../certify/tpm-properties.ts';
import { renderTable } from '../bench/table-printer.ts';
import {
  defined,
  missingOnReal,
  never,
  row,
  type ParityRow,
  type RowVerdict,
} from './parity-row.ts';

export type { ParityRow, RowVerdict } from './parity-row.ts';

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
