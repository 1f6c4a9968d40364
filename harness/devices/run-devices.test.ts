import { describe, expect, it } from 'vitest';
import { resolveTopology } from '../topology/topology-validator.ts';
import { buildSiteFile } from '../world/site-file-builder.ts';
import { deviceNotApplicableChecks } from '../scenario/scenario-runner.ts';
import { isDeviceNotApplicable } from './device-not-applicable.ts';
import { deviceProfileSchema } from './device-profile.ts';
import {
  machineUsesLab,
  profileTargets,
  realUpsSiteSection,
  realBmc,
  requireSimulatedBmc,
  requireSimulatedUps,
  type RunDevices,
} from './run-devices.ts';

const topology = resolveTopology(
  {
    zones: [{ name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.44.0.0/16'] }],
    services: [{ name: 'ups1', kind: 'ups', zone: 'sovereign' }],
    machines: [
      { name: 'rack1', zone: 'sovereign', ups: 'ups1' },
      { name: 'rack2', zone: 'sovereign' },
    ],
    hosts: [{ name: 'vm1', machine: 'rack1' }],
  },
  { knownServiceKinds: ['ups'], source: 'test' },
);

const devices: RunDevices = {
  file: '/lab/lab.yaml',
  profile: deviceProfileSchema.parse({
    labNetwork: 'lab',
    machines: { rack2: { tpm: { tcti: 'swtpm:host=10.99.0.2,port=2321' } } },
    ups: { ups1: { nut: '10.99.0.3:3493', name: 'lab-ups', passwordEnv: 'LAB_UPS_PASSWORD' } },
  }),
  lab: { name: 'lab', subnets: ['10.99.0.0/24'], addresses: ['10.99.0.2', '10.99.0.3'] },
};

describe('real devices of a run', () => {
  it('finds the machines and UPSes a profile may name', () => {
    const targets = profileTargets([topology]);
    expect([...targets.machines]).toEqual(['rack1', 'rack2']);
    expect([...targets.upses]).toEqual(['ups1']);
  });

  it('puts a machine on the lab only when its TPM or its UPS is there', () => {
    expect(machineUsesLab(devices, { name: 'rack1', ups: 'ups1' })).toBe(true);
    expect(machineUsesLab(devices, { name: 'rack2' })).toBe(true);
    expect(machineUsesLab(devices, { name: 'rack3' })).toBe(false);
    expect(machineUsesLab(undefined, { name: 'rack2' })).toBe(false);
  });

  it("gives a host its real UPS's NUT server, the TCTI and the lab addresses as its site's", () => {
    const ups = devices.profile.ups.ups1;
    if (ups === undefined || ups === 'sim') throw new Error('fixture');
    const host = topology.hosts[0];
    if (host === undefined) throw new Error('fixture');
    const site = buildSiteFile(topology, host, [], {
      tpmTcti: 'swtpm:host=10.99.0.2,port=2321',
      sections: [realUpsSiteSection(ups, { LAB_UPS_PASSWORD: 'pw' })],
      labAddresses: ['10.99.0.2', '10.99.0.3'],
    });
    expect(site.tpm.tcti).toBe('swtpm:host=10.99.0.2,port=2321');
    expect(site.domesticCidrs).toEqual(['10.44.0.0/16', '10.99.0.2/32', '10.99.0.3/32']);
    expect((site as Record<string, unknown>).ups).toEqual({
      name: 'lab-ups',
      address: '10.99.0.3',
      port: 3493,
      user: 'monitor',
      password: 'pw',
      pollFrequencyS: 1,
    });
    const plain = buildSiteFile(topology, host, []);
    expect(plain.tpm.tcti).toBe('swtpm:host=127.0.0.1,port=2321');
    expect(plain.domesticCidrs).toEqual(['10.44.0.0/16']);
  });

  it('makes what only the UPS simulator can do not applicable, by name', () => {
    let thrown: unknown;
    try {
      requireSimulatedUps(devices, 'ups1');
    } catch (error) {
      thrown = error;
    }
    expect(isDeviceNotApplicable(thrown)).toBe(true);
    expect(String(thrown)).toContain(
      'needs a simulated UPS: ups1 is real (lab-ups@10.99.0.3:3493)',
    );
    expect(() => {
      requireSimulatedUps(undefined, 'ups1');
    }).not.toThrow();
  });

  it('makes what only the BMC simulator can do (its thermal model) not applicable, by name', () => {
    const withBmc: RunDevices = {
      file: '/lab/lab.yaml',
      profile: deviceProfileSchema.parse({
        labNetwork: 'lab',
        machines: {
          rack1: { bmc: { ipmi: '10.99.0.4', user: 'labadmin', passwordEnv: 'LAB_BMC_PASSWORD' } },
        },
      }),
    };
    let thrown: unknown;
    try {
      requireSimulatedBmc(withBmc, 'rack1');
    } catch (error) {
      thrown = error;
    }
    expect(isDeviceNotApplicable(thrown)).toBe(true);
    expect(String(thrown)).toContain(
      "needs a simulated BMC: machine rack1's BMC is real (IPMI 10.99.0.4) and the harness cannot drive its temperature sensors with the thermal model",
    );
    expect(realBmc(withBmc, 'rack1')?.user).toBe('labadmin');
    expect(realBmc(withBmc, 'rack2')).toBeUndefined();
    expect(() => {
      requireSimulatedBmc(withBmc, 'rack2');
    }).not.toThrow();
    expect(() => {
      requireSimulatedBmc(devices, 'rack1');
    }).not.toThrow();
    expect(() => {
      requireSimulatedBmc(undefined, 'rack1');
    }).not.toThrow();
  });

  it('turns every check of such a scenario into "not applicable" with the reason, never pass', () => {
    const checks = deviceNotApplicableChecks(
      {
        checks: [
          { name: 'a', description: 'A' },
          { name: 'b', description: 'B' },
        ],
      },
      'needs a simulated TPM',
    );
    expect(checks.map((c) => [c.name, c.status, c.summary])).toEqual([
      ['a', 'not-applicable', 'not applicable: needs a simulated TPM'],
      ['b', 'not-applicable', 'not applicable: needs a simulated TPM'],
    ]);
  });
});
