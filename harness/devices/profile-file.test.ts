import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSovhError } from '../util/sovh-error.ts';
import {
  bmcOf,
  hasRealDevices,
  labAddresses,
  parseHostPort,
  parseIpmiAddress,
  parseTcti,
  tpmOf,
  upsOf,
} from './device-profile.ts';
import { checkProfileTargets, loadProfileFile, parseProfile } from './profile-file.ts';

const file = '/lab/lab.yaml';
const env = { LAB_UPS_PASSWORD: 'secret' };

function problemsOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isSovhError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('expected an error');
}

describe('device profile schema', () => {
  it('reads TCTI addresses of both kinds and refuses anything else', () => {
    expect(parseTcti('swtpm:host=10.99.0.2,port=2321')).toEqual({
      kind: 'swtpm',
      host: '10.99.0.2',
      port: 2321,
    });
    expect(parseTcti('mssim:host=10.99.0.2,port=2321')?.kind).toBe('mssim');
    expect(parseTcti('swtpm:host=tpm.lab,port=2321')).toBeUndefined();
    expect(parseTcti('swtpm:port=2321')).toBeUndefined();
    expect(parseTcti('swtpm:host=10.99.0.2,port=70000')).toBeUndefined();
    expect(parseTcti('device:/dev/tpmrm0')).toBeUndefined();
    expect(parseHostPort('10.99.0.3:3493')).toEqual({ host: '10.99.0.3', port: 3493 });
    expect(parseHostPort('10.99.0.3')).toBeUndefined();
  });

  it('defaults every device to the simulator and lists only the named lab addresses', () => {
    const profile = parseProfile(
      file,
      {
        labNetwork: 'lab',
        machines: {
          home: { tpm: { tcti: 'swtpm:host=10.99.0.2,port=2321' } },
          spare: { tpm: { device: '/dev/tpmrm0' } },
          other: {},
        },
        ups: { ups1: { nut: '10.99.0.3:3493', name: 'ups1', passwordEnv: 'LAB_UPS_PASSWORD' } },
      },
      env,
    );
    expect(tpmOf(profile, 'other')).toBe('sim');
    expect(tpmOf(profile, 'unnamed')).toBe('sim');
    expect(tpmOf(profile, 'spare')).toEqual({ device: '/dev/tpmrm0' });
    expect(upsOf(profile, 'ups1')).toMatchObject({ user: 'monitor', name: 'ups1' });
    expect(labAddresses(profile)).toEqual(['10.99.0.2', '10.99.0.3']);
    expect(parseProfile(file, null, {})).toEqual({ machines: {}, ups: {} });
  });

  it('names the file, the path in it and the fix for a bad TCTI', () => {
    const message = problemsOf(() =>
      parseProfile(
        file,
        { labNetwork: 'lab', machines: { home: { tpm: { tcti: 'swtpm:port=2321' } } } },
        env,
      ),
    );
    expect(message).toContain('PROFILE_INVALID');
    expect(message).toContain(file);
    expect(message).toContain('machines.home.tpm.tcti');
    expect(message).toContain('swtpm:host=H,port=P');
  });

  it('reads the attestation key a certification quotes with, and names the choices for another', () => {
    const profile = parseProfile(
      file,
      { machines: { home: { tpm: { device: '/dev/tpmrm0', attestationKey: 'ecc' } } } },
      env,
    );
    expect(tpmOf(profile, 'home')).toEqual({ device: '/dev/tpmrm0', attestationKey: 'ecc' });
    const message = problemsOf(() =>
      parseProfile(
        file,
        { machines: { home: { tpm: { device: '/dev/tpmrm0', attestationKey: 'dsa' } } } },
        env,
      ),
    );
    expect(message).toContain('machines.home.tpm');
    expect(message).toContain('the attestation key is "rsa" or "ecc"');
  });

  it('names the alternatives for a device that is neither sim nor real', () => {
    const message = problemsOf(() =>
      parseProfile(file, { machines: { home: { tpm: 'real' } } }, env),
    );
    expect(message).toContain('machines.home.tpm');
    expect(message).toContain('{ device: /dev/tpmrm0 }');
    const ups = problemsOf(() => parseProfile(file, { ups: { ups1: { nut: 'x' } } }, env));
    expect(ups).toContain('ups.ups1');
    expect(ups).toContain('nut:');
  });

  it('refuses unknown fields with the known ones', () => {
    const message = problemsOf(() => parseProfile(file, { labnetwork: 'lab' }, env));
    expect(message).toContain('"labnetwork"');
    expect(message).toContain('known fields: labNetwork, machines, ups');
  });

  it('needs a lab network for devices at an address, and a set password variable', () => {
    const noLab = problemsOf(() =>
      parseProfile(
        file,
        { machines: { home: { tpm: { tcti: 'swtpm:host=10.99.0.2,port=2321' } } } },
        env,
      ),
    );
    expect(noLab).toContain('labNetwork: missing');
    expect(noLab).toContain('10.99.0.2');
    expect(() =>
      parseProfile(file, { machines: { home: { tpm: { device: '/dev/tpmrm0' } } } }, env),
    ).not.toThrow();
    const noPassword = problemsOf(() =>
      parseProfile(
        file,
        {
          labNetwork: 'lab',
          ups: { ups1: { nut: '10.99.0.3:3493', name: 'ups1', passwordEnv: 'UNSET_VAR' } },
        },
        env,
      ),
    );
    expect(noPassword).toContain('ups.ups1.passwordEnv');
    expect(noPassword).toContain('UNSET_VAR is not set');
  });
});

describe('a real BMC in the profile', () => {
  const bmcEnv = { ...env, LAB_BMC_PASSWORD: 'bmc-secret', LAB_BMC_COMMUNITY: 'ro' };

  it('reads its IPMI address with the default port, and lists it among the lab addresses', () => {
    expect(parseIpmiAddress('10.99.0.4')).toEqual({ host: '10.99.0.4', port: 623 });
    expect(parseIpmiAddress('10.99.0.4:6230')).toEqual({ host: '10.99.0.4', port: 6230 });
    expect(parseIpmiAddress('bmc.lab')).toBeUndefined();
    expect(parseIpmiAddress('10.99.0.4:0')).toBeUndefined();
    const profile = parseProfile(
      file,
      {
        labNetwork: 'lab',
        machines: {
          rack1: {
            bmc: {
              ipmi: '10.99.0.4',
              user: 'labadmin',
              passwordEnv: 'LAB_BMC_PASSWORD',
              snmp: { version: '2c', communityEnv: 'LAB_BMC_COMMUNITY' },
            },
          },
          rack2: {},
        },
      },
      bmcEnv,
    );
    expect(bmcOf(profile, 'rack1')).toEqual({
      ipmi: '10.99.0.4',
      user: 'labadmin',
      passwordEnv: 'LAB_BMC_PASSWORD',
      snmp: { version: '2c', port: 161, communityEnv: 'LAB_BMC_COMMUNITY' },
    });
    expect(bmcOf(profile, 'rack2')).toBe('sim');
    expect(bmcOf(profile, 'unnamed')).toBe('sim');
    expect(tpmOf(profile, 'rack1')).toBe('sim');
    expect(labAddresses(profile)).toEqual(['10.99.0.4']);
    expect(hasRealDevices(profile)).toBe(true);
    expect(hasRealDevices(parseProfile(file, { machines: { rack2: {} } }, {}))).toBe(false);
  });

  it('names the field and the fix for a bad address, a password in the file, and an unset variable', () => {
    const badAddress = problemsOf(() =>
      parseProfile(
        file,
        {
          labNetwork: 'lab',
          machines: {
            rack1: { bmc: { ipmi: 'bmc.lab:623', user: 'a', passwordEnv: 'LAB_BMC_PASSWORD' } },
          },
        },
        bmcEnv,
      ),
    );
    expect(badAddress).toContain(file);
    expect(badAddress).toContain('machines.rack1.bmc');
    expect(badAddress).toContain(
      'machines.rack1.bmc.ipmi: an IPMI address is "host" or "host:port" with an IPv4 host',
    );
    const password = problemsOf(() =>
      parseProfile(
        file,
        {
          labNetwork: 'lab',
          machines: { rack1: { bmc: { ipmi: '10.99.0.4', user: 'a', password: 'x' } } },
        },
        bmcEnv,
      ),
    );
    expect(password).toContain(
      'machines.rack1.bmc.password: a secret is never written in the profile: remove it, put it in an environment variable and name that variable with `passwordEnv`',
    );
    const community = problemsOf(() =>
      parseProfile(
        file,
        {
          labNetwork: 'lab',
          machines: {
            rack1: {
              bmc: {
                ipmi: '10.99.0.4',
                user: 'a',
                passwordEnv: 'LAB_BMC_PASSWORD',
                snmp: { version: '2c', community: 'public' },
              },
            },
          },
        },
        bmcEnv,
      ),
    );
    expect(community).toContain('machines.rack1.bmc.snmp.community: a secret is never written');
    expect(community).toContain('`communityEnv`');
    const unset = problemsOf(() =>
      parseProfile(
        file,
        {
          labNetwork: 'lab',
          machines: {
            rack1: {
              bmc: {
                ipmi: '10.99.0.4',
                user: 'labadmin',
                passwordEnv: 'NO_SUCH_BMC_VAR',
                snmp: { version: '3', user: 'snmpuser', authPasswordEnv: 'NO_SUCH_AUTH_VAR' },
              },
            },
          },
        },
        bmcEnv,
      ),
    );
    expect(unset).toContain(
      'machines.rack1.bmc.passwordEnv: the environment variable NO_SUCH_BMC_VAR is not set: export it with the password of IPMI user "labadmin"',
    );
    expect(unset).toContain(
      'machines.rack1.bmc.snmp.authPasswordEnv: the environment variable NO_SUCH_AUTH_VAR is not set',
    );
    const noLab = problemsOf(() =>
      parseProfile(
        file,
        {
          machines: {
            rack1: { bmc: { ipmi: '10.99.0.4', user: 'a', passwordEnv: 'LAB_BMC_PASSWORD' } },
          },
        },
        bmcEnv,
      ),
    );
    expect(noLab).toContain('labNetwork: missing; devices at 10.99.0.4');
  });

  it('names the known fields of a machine and of a BMC', () => {
    const machine = problemsOf(() =>
      parseProfile(file, { machines: { rack1: { bcm: 'sim' } } }, bmcEnv),
    );
    expect(machine).toContain('machines.rack1: unknown field(s) "bcm"');
    expect(machine).toContain('known fields: tpm, bmc');
    const notADevice = problemsOf(() =>
      parseProfile(file, { machines: { rack1: { bmc: 'real' } } }, bmcEnv),
    );
    expect(notADevice).toContain('machines.rack1.bmc');
    expect(notADevice).toContain('ipmi: "H[:P]"');
  });
});

describe('profile targets', () => {
  const loaded = {
    file,
    profile: parseProfile(
      file,
      {
        labNetwork: 'lab',
        machines: { hom: { tpm: { tcti: 'swtpm:host=10.99.0.2,port=2321' } } },
        ups: { ups9: 'sim' },
      },
      env,
    ),
  };

  it('names each machine or UPS that no scenario of the run has, with the names it could be', () => {
    const message = problemsOf(() => {
      checkProfileTargets(loaded, {
        machines: new Set(['home', 'elsewhere']),
        upses: new Set(['ups1']),
      });
    });
    expect(message).toContain(file);
    expect(message).toContain('machines.hom: no machine "hom"');
    expect(message).toContain('use one of elsewhere, home');
    expect(message).toContain('ups.ups9: no UPS "ups9"');
    expect(message).toContain('use one of ups1');
  });

  it('accepts names that the run has', () => {
    expect(() => {
      checkProfileTargets(loaded, { machines: new Set(['hom']), upses: new Set(['ups9']) });
    }).not.toThrow();
  });
});

describe('profile files', () => {
  it('loads YAML and names a missing file and bad YAML', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sovh-profile-'));
    const good = join(dir, 'lab.yaml');
    writeFileSync(good, 'machines:\n  home:\n    tpm: { device: /dev/tpmrm0 }\n');
    expect((await loadProfileFile(good, {})).profile.machines.home?.tpm).toEqual({
      device: '/dev/tpmrm0',
    });
    await expect(loadProfileFile(join(dir, 'none.yaml'), {})).rejects.toThrow(
      /none\.yaml does not exist/,
    );
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'machines: [\n');
    await expect(loadProfileFile(bad, {})).rejects.toThrow(/bad\.yaml is not valid YAML/);
  });
});
