import { SovhError } from '../util/sovh-error.ts';

/**
 * Parsers of what the read-only probes of `sovh parity` print: tpm2-tools, upsc, ipmitool and
 * net-snmp, each as the tool prints it (pure; unit-tested beside it).
 */

function outputError(tool: string, problem: string): SovhError {
  return new SovhError('PARITY_PROBE_OUTPUT', `${tool}: ${problem}`);
}

/** `tpm2_getcap algorithms`: the algorithm names, one top-level YAML key each. */
export function parseTpmAlgorithms(output: string): string[] {
  const names = [...output.matchAll(/^([A-Za-z0-9_]+):\s*$/gm)].map((m) => m[1] ?? '');
  if (names.length === 0)
    throw outputError('tpm2_getcap algorithms', 'printed no algorithm (is this its output?)');
  return [...new Set(names)].sort();
}

/** `tpm2_getcap pcrs`: each allocated bank with the PCRs selected in it. */
export function parsePcrBanks(output: string): Record<string, number[]> {
  if (!/^selected-pcrs:/m.test(output))
    throw outputError('tpm2_getcap pcrs', 'printed no "selected-pcrs:" (is this its output?)');
  const banks: Record<string, number[]> = {};
  for (const match of output.matchAll(/^\s*-\s*([A-Za-z0-9_]+)\s*:\s*\[([^\]]*)\]\s*$/gm)) {
    const pcrs = (match[2] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map(Number)
      .filter((n) => Number.isInteger(n));
    banks[match[1] ?? ''] = pcrs.sort((a, b) => a - b);
  }
  return banks;
}

/** `tpm2_getcap handles-persistent`: "- 0x81000001" lines (nothing when the TPM holds none). */
export function parsePersistentHandles(output: string): string[] {
  return [...output.matchAll(/^\s*-\s*(0x[0-9A-Fa-f]+)\s*$/gm)]
    .map((m) => `0x${(m[1] ?? '').slice(2).toLowerCase().padStart(8, '0')}`)
    .sort();
}

/** `upsc NAME@HOST:PORT`: every "variable: value" line. */
export function parseUpsVariables(output: string): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const line of output.split('\n')) {
    const match = /^([a-z0-9_]+(?:\.[a-z0-9_]+)+):\s?(.*)$/.exec(line.trimEnd());
    if (match !== null) variables[match[1] ?? ''] = match[2] ?? '';
  }
  if (Object.keys(variables).length === 0)
    throw outputError('upsc', 'printed no "variable: value" line (is this its output?)');
  return variables;
}

/** One sensor of `ipmitool sdr type Temperature`. */
export interface SdrSensor {
  name: string;
  /** The sensor number, as ipmitool prints it ("01h"). */
  number: string;
  /** The unit of its reading ("degrees C"); empty when the sensor gave no reading. */
  unit: string;
}

/**
 * `ipmitool sdr type Temperature`: "Inlet Temp | 01h | ok | 55.1 | 22 degrees C" rows. A sensor
 * with no reading ("No Reading", "Disabled") keeps its name and number, with no unit.
 */
export function parseSdrTemperature(output: string): SdrSensor[] {
  const sensors: SdrSensor[] = [];
  for (const line of output.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 5) continue;
    const [name = '', number = '', , , reading = ''] = cells;
    if (name === '' || !/^[0-9A-Fa-f]+h$/.test(number)) continue;
    const unit = /^-?[0-9.]+\s+(.+)$/.exec(reading)?.[1] ?? '';
    sensors.push({ name, number: number.toLowerCase(), unit });
  }
  return sensors;
}

export const thresholdNames = [
  'Lower Non-Recoverable',
  'Lower Critical',
  'Lower Non-Critical',
  'Upper Non-Critical',
  'Upper Critical',
  'Upper Non-Recoverable',
] as const;
export type ThresholdName = (typeof thresholdNames)[number];

/** A sensor's thresholds as the BMC gives them; a threshold it does not set is absent. */
export type SensorThresholds = Partial<Record<ThresholdName, number>>;

/**
 * `ipmitool sensor get NAME...`: for each "Sensor ID : NAME (0x1)" section, the threshold lines
 * ("Upper Critical : 32.000"; "na" when unset).
 */
export function parseSensorThresholds(output: string): Record<string, SensorThresholds> {
  const result: Record<string, SensorThresholds> = {};
  let current: SensorThresholds | undefined;
  for (const line of output.split('\n')) {
    const id = /^Sensor ID\s*:\s*(.+?)\s*(?:\(0x[0-9A-Fa-f]+\))?\s*$/.exec(line);
    if (id !== null) {
      current = {};
      result[id[1] ?? ''] = current;
      continue;
    }
    const field = /^\s*([A-Za-z -]+?)\s*:\s*(\S+)/.exec(line);
    if (current === undefined || field === null) continue;
    const name = thresholdNames.find((n) => n.toLowerCase() === (field[1] ?? '').toLowerCase());
    const value = Number(field[2]);
    if (name !== undefined && field[2] !== 'na' && Number.isFinite(value)) current[name] = value;
  }
  return result;
}

/** `snmpwalk -On -Oq -Oe`: ".1.3.6.1.2.1.99.1.1.1.4.1 218" lines, by numeric OID. */
export function parseSnmpWalk(output: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of output.split('\n')) {
    const match = /^(\.?[0-9]+(?:\.[0-9]+)+)\s+(.*)$/.exec(line.trim());
    if (match === null) continue;
    const oid = (match[1] ?? '').startsWith('.') ? (match[1] ?? '') : `.${match[1] ?? ''}`;
    const value = (match[2] ?? '').replace(/^"(.*)"$/, '$1');
    if (/^No (Such|more)/i.test(value)) continue;
    values[oid] = value;
  }
  return values;
}
