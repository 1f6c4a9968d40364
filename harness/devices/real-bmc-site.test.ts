import { describe, expect, it } from 'vitest';
import { bmcOptionsSchema } from '../../sims/bmc/bmc.ts';
import { bmcSensors, sensorValueOid } from '../../sims/bmc/bmc-sensors.ts';
import { resolveTopology } from '../topology/topology-validator.ts';
import { isSovhError } from '../util/sovh-error.ts';
import { buildSiteFile } from '../world/site-file-builder.ts';
import { deviceProfileSchema, realBmcSensors, type RealBmcProfile } from './device-profile.ts';
import { parseProfile } from './profile-file.ts';
import { machineUsesLab, realBmc, realBmcSiteSection, type RunDevices } from './run-devices.ts';

const file = '/lab/lab.yaml';
const env = {
  LAB_BMC_PASSWORD: 'bmc-secret',
  LAB_BMC_COMMUNITY: 'ro-lab',
  LAB_BMC_AUTH: 'auth-secret',
  LAB_BMC_PRIV: 'priv-secret',
};
const watch = bmcOptionsSchema.parse({ machine: 'rack1' }).watch;

function bmcProfile(bmc: Record<string, unknown>): RealBmcProfile {
  const profile = parseProfile(
    file,
    {
      labNetwork: 'lab',
      machines: {
        rack1: {
          bmc: { ipmi: '10.99.0.4', user: 'labadmin', passwordEnv: 'LAB_BMC_PASSWORD', ...bmc },
        },
      },
    },
    env,
  );
  const found = profile.machines.rack1?.bmc;
  if (found === undefined || found === 'sim') throw new Error('fixture: no real BMC');
  return found;
}

function problemsOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isSovhError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('expected an error');
}

describe("a real BMC's sensors in the profile", () => {
  it("default to the BMC simulator's SDR names, with no SNMP fields when the BMC has no SNMP", () => {
    expect(realBmcSensors(bmcProfile({}))).toEqual([
      { key: 'inlet', name: 'Inlet Temp' },
      { key: 'cpu', name: 'CPU Temp' },
      { key: 'exhaust', name: 'Exhaust Temp' },
    ]);
    // The simulator's names are the ones its SDR has (what the stand-in lab's BMC serves).
    expect(realBmcSensors(bmcProfile({})).map((s) => s.name)).toEqual(
      bmcSensors.map((s) => s.name),
    );
  });

  it("take the simulator's OIDs and scale when the BMC has SNMP, and the profile's names over them", () => {
    const sensors = realBmcSensors(
      bmcProfile({
        snmp: { version: '2c', communityEnv: 'LAB_BMC_COMMUNITY' },
        sensors: {
          inlet: {
            name: 'Inlet Ambient',
            snmpOid: '.1.3.6.1.4.1.674.10892.5.4.700.20.1.6.1.1',
            snmpScale: 0.1,
          },
          cpu: { name: 'CPU1 Temp', snmpScale: 1 },
        },
      }),
    );
    const exhaust = bmcSensors.find((s) => s.key === 'exhaust');
    const cpu = bmcSensors.find((s) => s.key === 'cpu');
    if (exhaust === undefined || cpu === undefined) throw new Error('fixture');
    expect(sensors).toEqual([
      {
        key: 'inlet',
        name: 'Inlet Ambient',
        snmpOid: '.1.3.6.1.4.1.674.10892.5.4.700.20.1.6.1.1',
        snmpScale: 0.1,
      },
      { key: 'cpu', name: 'CPU1 Temp', snmpOid: sensorValueOid(cpu), snmpScale: 1 },
      { key: 'exhaust', name: 'Exhaust Temp', snmpOid: sensorValueOid(exhaust), snmpScale: 0.1 },
    ]);
  });

  it('refuses an unknown sensor, an unknown field, a bad OID or scale, and SNMP fields without SNMP, by path', () => {
    const unknownSensor = problemsOf(() => bmcProfile({ sensors: { intake: { name: 'X' } } }));
    expect(unknownSensor).toContain('PROFILE_INVALID');
    expect(unknownSensor).toContain(
      'machines.rack1.bmc.sensors: unknown field(s) "intake": remove them (known fields: inlet, cpu, exhaust)',
    );
    const unknownField = problemsOf(() => bmcProfile({ sensors: { inlet: { sdr: 'X' } } }));
    expect(unknownField).toContain(
      'machines.rack1.bmc.sensors.inlet: unknown field(s) "sdr": remove them (known fields: name, snmpOid, snmpScale)',
    );
    const snmp = { version: '2c', communityEnv: 'LAB_BMC_COMMUNITY' };
    const badOid = problemsOf(() =>
      bmcProfile({ snmp, sensors: { inlet: { snmpOid: 'entPhySensorValue.1' } } }),
    );
    expect(badOid).toContain(
      'machines.rack1.bmc.sensors.inlet.snmpOid: a numeric OID, e.g. ".1.3.6.1.2.1.99.1.1.1.4.1"',
    );
    const badScale = problemsOf(() => bmcProfile({ snmp, sensors: { cpu: { snmpScale: 0 } } }));
    expect(badScale).toContain(
      'machines.rack1.bmc.sensors.cpu.snmpScale: degrees per unit of the SNMP value, e.g. 0.1 for tenths',
    );
    const emptyName = problemsOf(() => bmcProfile({ sensors: { exhaust: { name: '' } } }));
    expect(emptyName).toContain(
      'machines.rack1.bmc.sensors.exhaust.name: an IPMI SDR name, e.g. "Inlet Temp"',
    );
    const noSnmp = problemsOf(() =>
      bmcProfile({ sensors: { inlet: { snmpOid: '.1.3.6.1.2.1.99.1.1.1.4.1' } } }),
    );
    expect(noSnmp).toContain(
      'machines.rack1.bmc.sensors.inlet.snmpOid: an SNMP field, but this BMC has no `snmp`: add `snmp` to read it over SNMP, or remove snmpOid',
    );
  });
});

describe("a real BMC in the hosts' site file", () => {
  it('names its lab address, IPMI over lanplus with the password from its variable, and reads over IPMI without SNMP', () => {
    const section = realBmcSiteSection('rack1', bmcProfile({}), watch, env);
    expect(section).toEqual({
      bmc: {
        machine: 'rack1',
        address: '10.99.0.4',
        ipmi: {
          port: 623,
          interface: 'lanplus',
          cipherSuite: 3,
          user: 'labadmin',
          password: 'bmc-secret',
        },
        sensors: [
          { key: 'inlet', name: 'Inlet Temp' },
          { key: 'cpu', name: 'CPU Temp' },
          { key: 'exhaust', name: 'Exhaust Temp' },
        ],
      },
      thermal: { ...watch, protocol: 'ipmi' },
    });
    expect(watch.protocol).toBe('snmp');
  });

  it("sets the watch's poll interval the profile gives, and refuses one the at-rest check cannot judge", () => {
    const section = realBmcSiteSection('rack1', bmcProfile({ pollIntervalMs: 2000 }), watch, env);
    expect(section.thermal).toEqual({ ...watch, protocol: 'ipmi', pollIntervalMs: 2000 });
    expect(watch.pollIntervalMs).toBe(500);
    expect(problemsOf(() => bmcProfile({ pollIntervalMs: 6000 }))).toMatch(
      /machines\.rack1\.bmc\.pollIntervalMs.*at most 4000 ms: thermal-watch-at-rest wants a read of the BMC in every 5 s/,
    );
    expect(problemsOf(() => bmcProfile({ pollIntervalMs: 50 }))).toMatch(/at least 100 ms/);
  });

  it('gives SNMP v2c with its community, or v3 with its user and passwords, and keeps the policy', () => {
    const v2c = realBmcSiteSection(
      'rack1',
      bmcProfile({
        ipmi: '10.99.0.4:6230',
        snmp: { version: '2c', port: 1161, communityEnv: 'LAB_BMC_COMMUNITY' },
      }),
      watch,
      env,
    ) as { bmc: Record<string, unknown>; thermal: unknown };
    expect(v2c.bmc.ipmi).toEqual({
      port: 6230,
      interface: 'lanplus',
      cipherSuite: 3,
      user: 'labadmin',
      password: 'bmc-secret',
    });
    expect(v2c.bmc.snmp).toEqual({ port: 1161, version: '2c', community: 'ro-lab' });
    expect(v2c.thermal).toEqual(watch);
    const v3 = realBmcSiteSection(
      'rack1',
      bmcProfile({
        snmp: {
          version: '3',
          user: 'snmpuser',
          authPasswordEnv: 'LAB_BMC_AUTH',
          privPasswordEnv: 'LAB_BMC_PRIV',
        },
      }),
      watch,
      env,
    ) as { bmc: Record<string, unknown> };
    expect(v3.bmc.snmp).toEqual({
      port: 161,
      version: '3',
      user: 'snmpuser',
      authPassword: 'auth-secret',
      privPassword: 'priv-secret',
    });
    const v3NoPriv = realBmcSiteSection(
      'rack1',
      bmcProfile({ snmp: { version: '3', user: 'snmpuser', authPasswordEnv: 'LAB_BMC_AUTH' } }),
      watch,
      env,
    ) as { bmc: Record<string, unknown> };
    expect(v3NoPriv.bmc.snmp).toEqual({
      port: 161,
      version: '3',
      user: 'snmpuser',
      authPassword: 'auth-secret',
    });
  });

  it('takes the lanplus cipher suite from the profile, and refuses one that IPMI 2.0 does not have', () => {
    const section = realBmcSiteSection('rack1', bmcProfile({ cipherSuite: 17 }), watch, env) as {
      bmc: { ipmi: Record<string, unknown> };
    };
    expect(section.bmc.ipmi.cipherSuite).toBe(17);
    expect(problemsOf(() => bmcProfile({ cipherSuite: 18 }))).toContain(
      'machines.rack1.bmc.cipherSuite: an IPMI 2.0 cipher suite id, 0 to 17 (e.g. 3 or 17)',
    );
  });

  it("puts the machine on the lab and merges into a host's site file with the lab address domestic", () => {
    const topology = resolveTopology(
      {
        zones: [
          { name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.44.0.0/16'] },
        ],
        machines: [
          { name: 'rack1', zone: 'sovereign', bmc: {} },
          { name: 'rack2', zone: 'sovereign', bmc: {} },
        ],
        hosts: [{ name: 'vm1', machine: 'rack1' }],
      },
      { knownServiceKinds: ['bmc'], source: 'test' },
    );
    const devices: RunDevices = {
      file,
      profile: deviceProfileSchema.parse({
        labNetwork: 'lab',
        machines: {
          rack1: { bmc: { ipmi: '10.99.0.4', user: 'labadmin', passwordEnv: 'LAB_BMC_PASSWORD' } },
        },
      }),
      lab: { name: 'lab', subnets: ['10.99.0.0/24'], addresses: ['10.99.0.4'] },
    };
    expect(machineUsesLab(devices, { name: 'rack1' })).toBe(true);
    expect(machineUsesLab(devices, { name: 'rack2' })).toBe(false);
    const bmc = realBmc(devices, 'rack1');
    const host = topology.hosts[0];
    if (bmc === undefined || host === undefined) throw new Error('fixture');
    const site = buildSiteFile(topology, host, [], {
      sections: [realBmcSiteSection('rack1', bmc, watch, env)],
      labAddresses: devices.lab?.addresses,
    });
    expect(site.domesticCidrs).toEqual(['10.44.0.0/16', '10.99.0.4/32']);
    expect(site.bmc).toMatchObject({ address: '10.99.0.4', ipmi: { interface: 'lanplus' } });
    expect(site.thermal).toMatchObject({ protocol: 'ipmi', operatingRangeC: { min: 18, max: 27 } });
  });
});
