import { describe, expect, it } from 'vitest';
import { TopologyError } from './topology-error.ts';
import type { TopologyInput } from './topology-schema.ts';
import { resolveTopology } from './topology-validator.ts';

const context = { knownServiceKinds: ['bmc', 'ups', 'kms'] };

function topology(
  machine: Record<string, unknown>,
  services: TopologyInput['services'] = [],
): TopologyInput {
  return {
    zones: [
      { name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.44.0.0/16'] },
      { name: 'abroad', jurisdiction: 'US', kind: 'foreign', cidrs: ['10.84.0.0/16'] },
    ],
    services,
    machines: [{ name: 'rack1', zone: 'sovereign', ...machine }],
    hosts: [{ name: 'vm1', machine: 'rack1' }],
  };
}

function problemsOf(input: TopologyInput): { path: string; problem: string; fix: string }[] {
  try {
    resolveTopology(input, context);
  } catch (error) {
    if (error instanceof TopologyError) return error.problems;
    throw error;
  }
  return [];
}

describe('machines with a BMC and a UPS feed', () => {
  it('turns a machine’s bmc into a BMC service of its zone that belongs to it', () => {
    const resolved = resolveTopology(
      topology({ bmc: { initial: { loadKw: 1 } }, ups: 'ups1' }, [
        { name: 'ups1', kind: 'ups', zone: 'sovereign' },
      ]),
      context,
    );
    const bmc = resolved.services.find((s) => s.name === 'rack1-bmc');
    expect(bmc).toMatchObject({
      kind: 'bmc',
      zone: 'sovereign',
      options: { machine: 'rack1', initial: { loadKw: 1 } },
    });
    expect(resolved.machines.find((m) => m.name === 'rack1')?.ups).toBe('ups1');
  });

  it('names the field and the fix for a UPS that does not exist, is not a UPS or is elsewhere', () => {
    expect(
      problemsOf(topology({ ups: 'nope' }, [{ name: 'ups1', kind: 'ups', zone: 'sovereign' }])),
    ).toEqual([
      { path: 'machines[0].ups', problem: 'unknown UPS "nope"', fix: 'use one of: ups1' },
    ]);
    expect(
      problemsOf(topology({ ups: 'kms1' }, [{ name: 'kms1', kind: 'kms', zone: 'sovereign' }]))[0],
    ).toMatchObject({
      path: 'machines[0].ups',
      problem: '"kms1" is a "kms", not a UPS',
    });
    expect(
      problemsOf(topology({ ups: 'ups9' }, [{ name: 'ups9', kind: 'ups', zone: 'abroad' }]))[0],
    ).toMatchObject({
      path: 'machines[0].ups',
      fix: 'feed a machine from a UPS of its own zone',
    });
  });

  it('refuses a BMC that claims another machine, and a name its BMC would clash with', () => {
    expect(problemsOf(topology({ bmc: { machine: 'other' } }))[0]).toMatchObject({
      path: 'machines[0].bmc.machine',
    });
    const clash = problemsOf(
      topology({ bmc: {} }, [{ name: 'rack1-bmc', kind: 'kms', zone: 'sovereign' }]),
    );
    expect(clash.some((p) => p.path === 'machines[0].bmc' && /already used/.test(p.problem))).toBe(
      true,
    );
  });

  it('says how to get a BMC kind when none is registered', () => {
    expect(() => resolveTopology(topology({ bmc: {} }), { knownServiceKinds: ['ups'] })).toThrow(
      /register the "bmc" kind in sims\/registry.ts/,
    );
  });
});
