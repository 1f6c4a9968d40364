import type { BmcIdentity } from '../certify/bmc-identity.ts';
import { defined, never, row, type ParityRow } from './parity-row.ts';
import {
  thresholdNames,
  type SdrSensor,
  type SensorThresholds,
  type ThresholdName,
} from './probe-output.ts';
import { nameSource, type SensorRole } from './sensor-roles.ts';

/** What the BMC probes read over IPMI (lanplus), IPMI 1.5 and, when given, SNMP. */
export interface BmcProbe {
  identity: BmcIdentity;
  sensors: SdrSensor[];
  thresholds: Record<string, SensorThresholds>;
  /** Whether IPMI 1.5 (`-I lan -A MD5`, what the stack speaks) answered; the error when not. */
  ipmi15: { ok: true } | { ok: false; error: string };
  /** entPhySensorTable and the sensors' own OIDs, by numeric OID; absent when SNMP was not compared. */
  snmp?: Record<string, string>;
}

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

const unitOf = (s: SdrSensor) => (s.unit === '' ? 'no reading' : s.unit);

/**
 * Compares two BMCs. The sensors the stack reads are compared per role: the simulator's sensor by
 * its name against the real BMC's by the name the profile gives it (a renamed sensor present in
 * the same unit is the same); every other sensor by its name, for information.
 */
export function compareBmc(
  simulator: BmcProbe,
  real: BmcProbe,
  roles: readonly SensorRole[],
): ParityRow[] {
  const identity = (i: BmcIdentity) => ({
    manufacturer: `${i.manufacturerName ?? 'id'} (${String(i.manufacturerId)})`,
    product: `0x${i.productId.toString(16).padStart(4, '0')}${i.productName === undefined ? '' : ` ${i.productName}`}`,
    'firmware revision': i.firmwareRevision,
    'IPMI version': i.ipmiVersion,
  });
  const simId = identity(simulator.identity);
  const realId = identity(real.identity);
  const rows: (ParityRow | undefined)[] = (Object.keys(simId) as (keyof typeof simId)[]).map(
    (key) => row(key, simId[key], realId[key], never),
  );
  const ipmi15 = (p: BmcProbe) => (p.ipmi15.ok ? 'answers' : `refused: ${p.ipmi15.error}`);
  rows.push(
    row('IPMI 1.5 login (lan, MD5)', ipmi15(simulator), ipmi15(real), (verdict) =>
      verdict === 'differs' && !real.ipmi15.ok
        ? 'the stack reads its sensors with `ipmitool -I lan -A MD5` when its protocol is ipmi'
        : undefined,
    ),
  );
  rows.push(...roles.flatMap((role) => roleRows(simulator, real, role)));
  rows.push(...otherSensorRows(simulator, real, roles));
  if (simulator.snmp !== undefined && real.snmp !== undefined)
    rows.push(...snmpRows(simulator.snmp, real.snmp, roles));
  return rows.filter(defined);
}

/** A role's sensor on both sides: present, in the same unit (the stack takes degrees C). */
function roleRows(simulator: BmcProbe, real: BmcProbe, role: SensorRole): ParityRow[] {
  const sim = simulator.sensors.find((s) => s.name === role.simulator.name);
  const lab = real.sensors.find((s) => s.name === role.real.name);
  const text = (s: SdrSensor | undefined) =>
    s === undefined ? undefined : `${s.name} (${s.number}, ${unitOf(s)})`;
  const sensor = row(
    `sensor ${role.key}`,
    text(sim),
    text(lab),
    (verdict) => {
      if (verdict === 'only-simulator')
        return `the stack reads the ${role.key} sensor as "${role.real.name}" (${nameSource(role)}): the real BMC has no temperature sensor by that name`;
      if (verdict === 'only-real')
        return `the simulator has no "${role.simulator.name}": scenarios on it read no ${role.key} sensor`;
      return `the stack takes the ${role.key} sensor in ${sim === undefined ? 'degrees C' : unitOf(sim)}; the real "${role.real.name}" gives ${lab === undefined ? 'nothing' : unitOf(lab)}`;
    },
    // A renamed sensor is the same sensor; its number is informative only (the stack finds it by
    // name): the unit decides.
    () => sim?.unit === lab?.unit,
  );
  const thresholds = row(
    `thresholds ${role.key}`,
    sim === undefined ? undefined : thresholdText(simulator.thresholds[sim.name]),
    lab === undefined ? undefined : thresholdText(real.thresholds[lab.name]),
    never,
  );
  return [sensor, thresholds].filter(defined);
}

/** The sensors no role names, on either side, by name: none of them could change a verdict. */
function otherSensorRows(
  simulator: BmcProbe,
  real: BmcProbe,
  roles: readonly SensorRole[],
): ParityRow[] {
  const simUsed = new Set(roles.map((r) => r.simulator.name));
  const realUsed = new Set(roles.map((r) => r.real.name));
  const simOthers = new Map(
    simulator.sensors.filter((s) => !simUsed.has(s.name)).map((s) => [s.name, s]),
  );
  const realOthers = new Map(
    real.sensors.filter((s) => !realUsed.has(s.name)).map((s) => [s.name, s]),
  );
  const names = [...new Set([...simOthers.keys(), ...realOthers.keys()])].sort();
  const text = (s: SdrSensor | undefined) =>
    s === undefined ? undefined : `${s.number}, ${unitOf(s)}`;
  return names.flatMap((name) =>
    [
      row(
        `sensor ${name}`,
        text(simOthers.get(name)),
        text(realOthers.get(name)),
        never,
        (a, b) => a.split(', ')[1] === b.split(', ')[1],
      ),
      row(
        `thresholds ${name}`,
        simOthers.has(name) ? thresholdText(simulator.thresholds[name]) : undefined,
        realOthers.has(name) ? thresholdText(real.thresholds[name]) : undefined,
        never,
      ),
    ].filter(defined),
  );
}

/** The entPhySensorTable index of an entPhySensorValue OID; undefined for any other OID. */
function sensorIndex(oid: string): string | undefined {
  return new RegExp(`^${entPhySensorTableOid.replaceAll('.', '\\.')}\\.4\\.(\\d+)$`).exec(oid)?.[1];
}

/** What ENTITY-SENSOR-MIB says of a value's unit: its type, and degrees per unit from scale and precision. */
function describedUnit(
  walk: Record<string, string>,
  index: string,
): { type?: string; perUnit?: number; text: string } | undefined {
  const column = (n: number) => walk[`${entPhySensorTableOid}.${String(n)}.${index}`];
  const [type, scale, precision] = [column(1), column(2), column(3)];
  if (type === undefined && scale === undefined && precision === undefined) return undefined;
  // entPhySensorScale 9 is units, each step 10^3 (8 milli, 10 kilo); precision is decimal places.
  const perUnit =
    scale === undefined || precision === undefined
      ? undefined
      : 10 ** (3 * (Number(scale) - 9) - Number(precision));
  const typeText = type === '8' ? 'celsius' : `type ${type ?? '?'}`;
  return {
    ...(type === undefined ? {} : { type }),
    ...(perUnit === undefined || !Number.isFinite(perUnit) ? {} : { perUnit }),
    text: `${typeText}, ${perUnit === undefined ? '?' : String(perUnit)} per unit`,
  };
}

const isWholeNumber = (value: string) => /^-?\d+$/.test(value);

/**
 * Per role, the value the stack reads over SNMP (the simulator's OID against the profile's) and
 * what the agent says of its unit against the scale the stack applies; then the rest of
 * entPhySensorTable, for information.
 */
function snmpRows(
  sim: Record<string, string>,
  lab: Record<string, string>,
  roles: readonly SensorRole[],
): ParityRow[] {
  const rows: (ParityRow | undefined)[] = [];
  const usedIndexes = new Set<string>();
  for (const role of roles) {
    const realOid = role.real.snmpOid;
    const scale = role.real.snmpScale;
    if (realOid === undefined || scale === undefined) continue;
    const oidSource =
      role.given.snmpOid === undefined
        ? "the simulator's OID: the profile gives no snmpOid"
        : `the profile's sensors.${role.key}.snmpOid`;
    const scaleSource =
      role.given.snmpScale === undefined
        ? "the simulator's scale: the profile gives no snmpScale"
        : `the profile's sensors.${role.key}.snmpScale`;
    const simValue = sim[role.simulator.snmpOid];
    const realValue = lab[realOid];
    rows.push(
      row(
        `SNMP ${role.key} value`,
        simValue === undefined ? undefined : `${role.simulator.snmpOid} = ${simValue}`,
        realValue === undefined ? undefined : `${realOid} = ${realValue}`,
        (verdict) =>
          verdict === 'only-simulator'
            ? `the stack reads the ${role.key} sensor at ${realOid} (${oidSource}): the real agent has nothing there`
            : verdict === 'differs'
              ? `the stack reads a whole number at ${realOid}; the real agent gives "${realValue ?? ''}"`
              : `the simulator serves nothing at ${role.simulator.snmpOid}`,
        // Values are readings of the moment: what matters is a number to read.
        () => isWholeNumber(realValue ?? '') && isWholeNumber(simValue ?? ''),
      ),
    );
    const simIndex = sensorIndex(role.simulator.snmpOid);
    const realIndex = sensorIndex(realOid);
    if (simIndex !== undefined) usedIndexes.add(simIndex);
    if (realIndex !== undefined) usedIndexes.add(realIndex);
    const simUnit = simIndex === undefined ? undefined : describedUnit(sim, simIndex);
    const realUnit = realIndex === undefined ? undefined : describedUnit(lab, realIndex);
    const unit = row(
      `SNMP ${role.key} unit`,
      simUnit?.text,
      realIndex === undefined
        ? `not in entPhySensorTable: taken as ${String(scale)} degrees per unit (${scaleSource})`
        : realUnit?.text,
      never,
    );
    // Marked by what the stack applies (value × scale, in degrees C), not by the simulator's unit:
    // a profile that gives the real agent's own scale reads it right.
    const reason =
      realIndex === undefined
        ? undefined
        : realUnit === undefined
          ? role.given.snmpScale === undefined
            ? `the real agent does not say the unit of ${realOid}; the stack scales it by ${String(scale)} (${scaleSource})`
            : undefined
          : realUnit.type !== undefined && realUnit.type !== '8'
            ? `the stack takes the ${role.key} value as degrees C; the real agent's entPhySensorType is ${realUnit.type}`
            : realUnit.perUnit !== undefined && realUnit.perUnit !== scale
              ? `the stack scales the ${role.key} value by ${String(scale)} (${scaleSource}); the real agent's entPhySensorScale and Precision say ${String(realUnit.perUnit)} degrees per unit`
              : undefined;
    if (unit !== undefined && reason !== undefined) unit.couldChangeVerdict = reason;
    rows.push(unit);
  }
  const oids = [...new Set([...Object.keys(sim), ...Object.keys(lab)])]
    .filter((oid) => oid.startsWith(`${entPhySensorTableOid}.`))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  for (const oid of oids) {
    const [column = '', index = ''] = oid.slice(entPhySensorTableOid.length + 1).split('.');
    const label = sensorColumns[column];
    if (label === undefined || usedIndexes.has(index)) continue;
    // Values are readings of the moment: only their presence is compared.
    rows.push(
      row(`SNMP ${label}.${index}`, sim[oid], lab[oid], never, (a, b) => column === '4' || a === b),
    );
  }
  return rows.filter(defined);
}
