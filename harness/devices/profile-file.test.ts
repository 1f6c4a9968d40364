import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSovhError } from '../util/sovh-error.ts';
import { labAddresses, parseHostPort, parseTcti, tpmOf, upsOf } from './device-profile.ts';
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
