import { describe, expect, it } from 'vitest';
import { bmcProfileSchema, type RealBmcProfile } from '../devices/device-profile.ts';
import { compareBmc, type BmcProbe } from './bmc-compare.ts';
import type { ParityRow } from './parity-row.ts';
import { sensorRoles } from './sensor-roles.ts';

const rowOf = (rows: ParityRow[], item: string) => {
  const found = rows.find((r) => r.item === item);
  if (found === undefined) throw new Error(`no row ${item}: ${rows.map((r) => r.item).join(', ')}`);
  return found;
};
const marked = (rows: ParityRow[]) =>
  rows.filter((r) => r.couldChangeVerdict !== undefined).map((r) => r.item);

/** A lab BMC's profile entry, as the profile file gives it. */
const profile = (fields: Record<string, unknown> = {}): RealBmcProfile => {
  const bmc = bmcProfileSchema.parse({
    ipmi: '10.99.0.4',
    user: 'labadmin',
    passwordEnv: 'LAB_BMC_PASSWORD',
    ...fields,
  });
  if (bmc === 'sim') throw new Error('a real BMC was meant');
  return bmc;
};
const snmp = { version: '2c', communityEnv: 'LAB_BMC_COMMUNITY' };

const table = '.1.3.6.1.2.1.99.1.1.1';
/** entPhySensorTable of one sensor: celsius, units, `precision` decimals, and a value. */
const entry = (index: number, value: string, precision = '1') => ({
  [`${table}.1.${String(index)}`]: '8',
  [`${table}.2.${String(index)}`]: '9',
  [`${table}.3.${String(index)}`]: precision,
  [`${table}.4.${String(index)}`]: value,
});

const sim: BmcProbe = {
  identity: {
    manufacturerId: 4753,
    manufacturerName: 'MontaVista Software, Inc.',
    productId: 0x0f02,
    firmwareRevision: '9.08',
    ipmiVersion: '2.0',
    deviceId: 0,
  },
  sensors: [
    { name: 'Inlet Temp', number: '01h', unit: 'degrees C' },
    { name: 'CPU Temp', number: '02h', unit: 'degrees C' },
    { name: 'Exhaust Temp', number: '03h', unit: 'degrees C' },
  ],
  thresholds: { 'Inlet Temp': { 'Lower Critical': 15, 'Upper Critical': 32 } },
  ipmi15: { ok: true },
  snmp: { ...entry(1, '218'), ...entry(2, '458'), ...entry(3, '278') },
};

describe('BMC comparison by the simulator’s sensor names (a profile without `sensors`)', () => {
  it('marks sensors the stack reads that are missing or in other units, and IPMI 1.5 refused', () => {
    // Without `snmp` in the profile neither side is read over SNMP.
    const real: BmcProbe = {
      identity: { ...sim.identity, manufacturerId: 674, manufacturerName: 'DELL Inc' },
      sensors: [
        { name: 'Inlet Temp', number: '04h', unit: 'degrees F' },
        { name: 'Exhaust Temp', number: '03h', unit: 'degrees C' },
        { name: 'Temp', number: '0eh', unit: 'degrees C' },
      ],
      thresholds: { 'Inlet Temp': { 'Lower Critical': 3, 'Upper Critical': 47 } },
      ipmi15: { ok: false, error: 'Error: Unable to establish LAN session' },
    };
    const { identity, sensors, thresholds, ipmi15 } = sim;
    const rows = compareBmc(
      { identity, sensors, thresholds, ipmi15 },
      real,
      sensorRoles(profile()),
    );
    expect(rowOf(rows, 'manufacturer')).toMatchObject({ verdict: 'differs' });
    expect(rowOf(rows, 'manufacturer').couldChangeVerdict).toBeUndefined();
    expect(rowOf(rows, 'sensor cpu')).toMatchObject({
      simulator: 'CPU Temp (02h, degrees C)',
      verdict: 'only-simulator',
    });
    expect(rowOf(rows, 'sensor cpu').couldChangeVerdict).toMatch(
      /"CPU Temp" \(the simulator's name: the profile gives no sensors.cpu.name\): the real BMC has no/,
    );
    expect(rowOf(rows, 'sensor inlet').couldChangeVerdict).toMatch(/gives degrees F/);
    expect(rowOf(rows, 'sensor exhaust').verdict).toBe('same');
    expect(rowOf(rows, 'sensor Temp')).toMatchObject({ verdict: 'only-real' });
    expect(rowOf(rows, 'thresholds inlet')).toMatchObject({
      verdict: 'differs',
      real: 'lcr 3 ucr 47',
    });
    expect(rowOf(rows, 'IPMI 1.5 login (lan, MD5)').couldChangeVerdict).toMatch(/-I lan -A MD5/);
    expect(marked(rows)).toEqual(['IPMI 1.5 login (lan, MD5)', 'sensor inlet', 'sensor cpu']);
    expect(rows.some((r) => r.item.startsWith('SNMP'))).toBe(false);
  });
});

describe('BMC comparison by the profile’s sensor names', () => {
  it('compares a renamed sensor with the simulator’s by role: present in degrees C, it is the same', () => {
    const real: BmcProbe = {
      ...sim,
      sensors: [
        { name: 'Ambient Temp', number: '11h', unit: 'degrees C' },
        { name: 'CPU Temp', number: '02h', unit: 'degrees C' },
        { name: 'Exhaust Temp', number: '03h', unit: 'degrees C' },
        // A sensor under the simulator's name that the profile does not map: not read by the stack.
        { name: 'Inlet Temp', number: '21h', unit: 'degrees F' },
      ],
      thresholds: { 'Ambient Temp': { 'Lower Critical': 15, 'Upper Critical': 32 } },
    };
    const rows = compareBmc(
      sim,
      real,
      sensorRoles(profile({ sensors: { inlet: { name: 'Ambient Temp' } } })),
    );
    expect(rowOf(rows, 'sensor inlet')).toMatchObject({
      simulator: 'Inlet Temp (01h, degrees C)',
      real: 'Ambient Temp (11h, degrees C)',
      verdict: 'same',
    });
    expect(rowOf(rows, 'thresholds inlet').verdict).toBe('same');
    expect(rowOf(rows, 'sensor Inlet Temp')).toMatchObject({
      simulator: '(absent)',
      verdict: 'only-real',
    });
    expect(marked(rows)).toEqual([]);
  });

  it('marks a mapped sensor the real BMC does not have, and one in another unit, as could change a verdict', () => {
    const real: BmcProbe = {
      ...sim,
      sensors: [
        { name: 'Ambient Temp', number: '11h', unit: 'degrees F' },
        { name: 'CPU Temp', number: '02h', unit: 'degrees C' },
        { name: 'Exhaust Temp', number: '03h', unit: 'degrees C' },
      ],
    };
    const roles = sensorRoles(
      profile({ sensors: { inlet: { name: 'Ambient Temp' }, cpu: { name: 'Processor Temp' } } }),
    );
    const rows = compareBmc(sim, real, roles);
    expect(rowOf(rows, 'sensor cpu')).toMatchObject({
      real: '(absent)',
      verdict: 'only-simulator',
    });
    expect(rowOf(rows, 'sensor cpu').couldChangeVerdict).toMatch(
      /"Processor Temp" \(the profile's sensors.cpu.name\): the real BMC has no temperature sensor by that name/,
    );
    expect(rowOf(rows, 'sensor inlet').couldChangeVerdict).toMatch(
      /in degrees C; the real "Ambient Temp" gives degrees F/,
    );
    // The simulator's name on the real BMC is not what the stack reads there.
    expect(rowOf(rows, 'sensor CPU Temp')).toMatchObject({ verdict: 'only-real' });
    expect(marked(rows)).toEqual(['sensor inlet', 'sensor cpu']);
  });

  it('reads SNMP at the profile’s OIDs and checks the agent’s unit against the scale the stack applies', () => {
    const vendorOid = '.1.3.6.1.4.1.674.10892.5.4.700.20.1.6.1.1';
    const real: BmcProbe = {
      ...sim,
      // cpu at index 5 in whole degrees; exhaust at index 3 in whole degrees; inlet in a vendor MIB.
      snmp: { ...entry(5, '46', '0'), ...entry(3, '28', '0'), [vendorOid]: '22' },
    };
    const roles = sensorRoles(
      profile({
        snmp,
        sensors: {
          inlet: { snmpOid: vendorOid.slice(1), snmpScale: 1 },
          cpu: { snmpOid: `${table}.4.5`, snmpScale: 1 },
        },
      }),
    );
    const rows = compareBmc(sim, real, roles);
    expect(rowOf(rows, 'SNMP inlet value')).toMatchObject({
      simulator: `${table}.4.1 = 218`,
      real: `${vendorOid} = 22`,
      verdict: 'same',
    });
    expect(rowOf(rows, 'SNMP inlet unit').real).toMatch(/^not in entPhySensorTable: taken as 1/);
    expect(rowOf(rows, 'SNMP cpu unit')).toMatchObject({
      simulator: 'celsius, 0.1 per unit',
      real: 'celsius, 1 per unit',
      verdict: 'differs',
    });
    // The exhaust sensor keeps the simulator's OID and scale (0.1) on an agent that counts degrees.
    expect(rowOf(rows, 'SNMP exhaust unit').couldChangeVerdict).toMatch(
      /scales the exhaust value by 0.1 \(the simulator's scale: the profile gives no snmpScale\); the real agent's entPhySensorScale and Precision say 1 degrees per unit/,
    );
    expect(marked(rows)).toEqual(['SNMP exhaust unit']);
  });

  it('marks an OID the stack reads that the real agent does not serve', () => {
    const real: BmcProbe = { ...sim, snmp: { ...entry(1, '218'), ...entry(2, '458') } };
    const rows = compareBmc(sim, real, sensorRoles(profile({ snmp })));
    expect(rowOf(rows, 'SNMP exhaust value').couldChangeVerdict).toMatch(
      /at .1.3.6.1.2.1.99.1.1.1.4.3 \(the simulator's OID: the profile gives no snmpOid\): the real agent has nothing there/,
    );
    expect(marked(rows)).toEqual(['SNMP exhaust value', 'SNMP exhaust unit']);
  });
});
