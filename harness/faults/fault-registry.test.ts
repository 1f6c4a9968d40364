import { describe, expect, it } from 'vitest';
import { isSovhError } from '../util/sovh-error.ts';
import type { WorldNodes } from './fault-parameters.ts';
import { join } from 'node:path';
import {
  faultNames,
  faultType,
  faultTypes,
  resolveFaultFiles,
  resolveFaultParameters,
} from './fault-registry.ts';

const nodes: WorldNodes = {
  hsm: ['hsm-a', 'hsm-b'],
  kms: ['kms'],
  resolver: ['sovereign-dns', 'foreign-dns'],
  ups: ['ups1'],
  router: [],
  machine: ['rack1', 'rack2'],
  'bmc-machine': ['rack1'],
  host: ['vm1'],
  zone: ['sovereign', 'foreign'],
};

function thrown(action: () => unknown): { code: string; message: string } {
  try {
    action();
  } catch (error) {
    if (isSovhError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected an error');
}

describe('the fault registry', () => {
  it('holds every fault the scenarios use, each with a description, a heal and described parameters', () => {
    expect(faultNames()).toEqual(
      expect.arrayContaining([
        'hsm-cut',
        'hsm-hang',
        'mains-failure',
        'cooling-failure',
        'bmc-protocol-silence',
        'machine-power-off',
        'boot-chain-change',
        'vm-migration',
        'crypto-policy-cap',
        'openssl-version-skew',
        'openssl-broken',
        'stale-resolv-conf',
        'route-leak',
        'route-withdrawal',
        'offered-default-route',
        'foreign-address',
        'primary-key-replacement',
        'resolver-outage',
        'kms-outage',
        'kms-revocation',
        'kms-destruction',
        'audit-disk-full',
        'audit-trail-unwritable',
      ]),
    );
    expect(new Set(faultNames()).size).toBe(faultTypes.length);
    for (const type of faultTypes) {
      expect(type.description.length, type.name).toBeGreaterThan(10);
      expect(type.heals.length, type.name).toBeGreaterThan(5);
      for (const [name, spec] of Object.entries(type.parameters)) {
        expect(spec.description.length, `${type.name} --${name}`).toBeGreaterThan(3);
        expect(spec.type.length, `${type.name} --${name}`).toBeGreaterThan(0);
      }
    }
  });

  it('names the known faults for an unknown one', () => {
    const error = thrown(() => faultType('hsm-cutt'));
    expect(error.code).toBe('UNKNOWN_FAULT');
    expect(error.message).toContain('unknown fault "hsm-cutt"');
    expect(error.message).toContain('hsm-cut, hsm-hang, mains-failure');
    expect(error.message).toContain('npx sovh faults');
  });

  it('builds the same fault a scenario injects, named by its parameters', () => {
    const type = faultType('hsm-cut');
    const values = resolveFaultParameters(type, { hsm: 'hsm-b' }, nodes);
    expect(values).toEqual({ hsm: 'hsm-b' });
    const fault = type.make(values, undefined as never);
    expect(fault.name).toBe('hsm-cable-cut-hsm-b');
  });

  it('defaults a node parameter to the only node of its kind, and other parameters to their defaults', () => {
    expect(resolveFaultParameters(faultType('mains-failure'), {}, nodes)).toEqual({ ups: 'ups1' });
    expect(resolveFaultParameters(faultType('cooling-failure'), {}, nodes)).toEqual({
      machine: 'rack1',
      state: 'off',
    });
  });

  it('asks for a node parameter when the world has several of its kind', () => {
    const error = thrown(() => resolveFaultParameters(faultType('hsm-cut'), {}, nodes));
    expect(error.code).toBe('BAD_FAULT_PARAMETER');
    expect(error.message).toContain('needs --hsm');
    expect(error.message).toContain('hsm-a, hsm-b');
  });

  it('says when the world has no node of the kind a fault needs', () => {
    const error = thrown(() =>
      resolveFaultParameters(faultType('route-withdrawal'), { prefix: '10.40.0.0/16' }, nodes),
    );
    expect(error.code).toBe('FAULT_NOT_APPLICABLE');
    expect(error.message).toContain('needs a router simulator (--router)');
  });

  it('refuses a node the world does not have, naming those it has', () => {
    const error = thrown(() =>
      resolveFaultParameters(faultType('hsm-cut'), { hsm: 'hsm-z' }, nodes),
    );
    expect(error.code).toBe('UNKNOWN_NODE');
    expect(error.message).toContain('no HSM simulator named "hsm-z"');
    expect(error.message).toContain('hsm-a, hsm-b');
  });

  it('refuses an unknown parameter, naming the parameters the fault has', () => {
    const error = thrown(() =>
      resolveFaultParameters(faultType('hsm-cut'), { hsm: 'hsm-a', speed: '3' }, nodes),
    );
    expect(error.code).toBe('BAD_FAULT_PARAMETER');
    expect(error.message).toBe(
      'fault hsm-cut has no parameter --speed; its parameters: --hsm <hsm>',
    );
  });

  it('refuses a value its schema refuses, with the parameter and what it should be', () => {
    const choice = thrown(() =>
      resolveFaultParameters(faultType('cooling-failure'), { state: 'melted' }, nodes),
    );
    expect(choice.message).toMatch(
      /^--state "melted" is not a valid off\|degraded for fault cooling-failure/,
    );
    const prefix = thrown(() =>
      resolveFaultParameters(faultType('route-withdrawal'), { router: 'r', prefix: '10.40' }),
    );
    expect(prefix.message).toContain('give it like 10.40.0.0/16');
  });

  it('reads a list given comma-separated, and needs required parameters without a world', () => {
    expect(
      resolveFaultParameters(faultType('route-leak'), {
        router: 'ixp',
        prefixes: '10.40.1.0/25, 10.40.1.128/25',
      }),
    ).toEqual({ router: 'ixp', prefixes: ['10.40.1.0/25', '10.40.1.128/25'] });
    const missing = thrown(() =>
      resolveFaultParameters(faultType('route-leak'), { router: 'ixp' }),
    );
    expect(missing.message).toContain('needs --prefixes <list of string (comma-separated)>');
  });

  it('registers the resolver and KMS outages, the KMS revocation and the primary-key replacement', () => {
    expect(resolveFaultParameters(faultType('kms-outage'), {}, nodes)).toEqual({ kms: 'kms' });
    expect(faultType('kms-outage').make({ kms: 'kms' }, undefined as never).name).toBe(
      'kms-outage-kms',
    );
    const resolver = thrown(() => resolveFaultParameters(faultType('resolver-outage'), {}, nodes));
    expect(resolver.message).toContain('needs --resolver');
    expect(resolver.message).toContain('sovereign-dns, foreign-dns');
    expect(resolveFaultParameters(faultType('kms-revocation'), { uid: '7' }, nodes)).toEqual({
      kms: 'kms',
      owner: 'vm1',
      uid: '7',
      reason: 'key-compromise',
    });
    const uid = thrown(() => resolveFaultParameters(faultType('kms-revocation'), {}, nodes));
    expect(uid.message).toContain('needs --uid <string>');
    expect(
      resolveFaultParameters(faultType('primary-key-replacement'), { machine: 'rack2' }, nodes),
    ).toEqual({ machine: 'rack2', handle: '0x81000001' });
    const handle = thrown(() =>
      resolveFaultParameters(
        faultType('primary-key-replacement'),
        { machine: 'rack2', handle: '0x1' },
        nodes,
      ),
    );
    expect(handle.message).toContain('give it like 0x81000001');
  });
});

describe('the trace faults', () => {
  const examples = join(import.meta.dirname, '..', '..', 'examples', 'incidents');

  it('read a trace file from a folder into its absolute path, and a speed-up as a number', () => {
    const type = faultType('ups-trace');
    const files = resolveFaultFiles(
      type,
      { file: 'traces/ups-outage.log', speedup: '30' },
      examples,
    );
    expect(files).toEqual({ file: join(examples, 'traces', 'ups-outage.log'), speedup: '30' });
    expect(resolveFaultParameters(type, files, nodes)).toEqual({
      ups: 'ups1',
      file: join(examples, 'traces', 'ups-outage.log'),
      speedup: 30,
    });
    const bmc = resolveFaultParameters(
      faultType('bmc-trace'),
      { file: 'traces/room-inlet.csv' },
      nodes,
      examples,
    );
    expect(bmc).toEqual({
      machine: 'rack1',
      file: join(examples, 'traces', 'room-inlet.csv'),
      speedup: undefined,
    });
    expect(faultType('bmc-trace').make(bmc, undefined as never).description).toMatch(
      /plays the recorded readings room-inlet\.csv \(inlet, cpu, over 360 recorded s\)/,
    );
  });

  it('refuse a trace that is missing or malformed, and a speed-up that is not a positive number', () => {
    const type = faultType('ups-trace');
    expect(
      thrown(() => resolveFaultFiles(type, { file: 'nowhere.seq' }, examples)).message,
    ).toMatch(/^--file: cannot read .*nowhere\.seq .*give the path of an existing file$/);
    expect(
      thrown(() =>
        resolveFaultFiles(
          faultType('bmc-trace'),
          { file: 'ups-outage.seq' },
          join(examples, 'traces'),
        ),
      ),
    ).toEqual({
      code: 'BAD_TRACE',
      message: expect.stringMatching(
        /ups-outage\.seq line 4: "ups\.status: OL" has 1 field\(s\), not 3/,
      ) as string,
    });
    expect(
      thrown(() =>
        resolveFaultParameters(
          type,
          { file: 'traces/ups-outage.seq', speedup: '0' },
          nodes,
          examples,
        ),
      ).message,
    ).toMatch(/--speedup "0" is not a valid number for fault ups-trace: give a number above 0/);
  });
});
