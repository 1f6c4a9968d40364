import { describe, expect, it } from 'vitest';
import { makeCatalog } from '../../scenario/scenario-catalog.ts';
import { planRuns } from './run-command.ts';
import bootBindingScenario from '../../../scenarios/boot-binding/boot-binding.ts';

describe('planRuns', () => {
  it('runs every scenario when none is named, and adds mutants on request', () => {
    const plain = planRuns([], {});
    expect(plain.every((r) => r.mutant === undefined)).toBe(true);
    const withMutants = planRuns(['boot-binding'], { withMutants: true });
    expect(withMutants.map((r) => r.mutant)).toEqual([
      undefined,
      ...bootBindingScenario.mutants.map((m) => m.name),
    ]);
  });

  it('names the known scenarios and mutants when a name is wrong', () => {
    expect(() => planRuns(['no-such'], {})).toThrow(
      /unknown scenario "no-such"; known scenarios: .*boot-binding/,
    );
    expect(() => planRuns(['boot-binding'], { mutant: 'nope' })).toThrow(
      /no mutant "nope"; its mutants: kek-plain-file, kek-no-pcr-policy/,
    );
    expect(() => planRuns([], { mutant: 'kek-plain-file' })).toThrow(
      /--mutant needs exactly one scenario/,
    );
  });

  it('against another stack runs only its own mutants, and names a built-in one asked for', () => {
    const catalog = makeCatalog({
      referenceStack: false,
      userMutants: [
        {
          scenario: 'boot-binding',
          mutant: {
            name: 'kek-in-the-clear',
            description: 'mine',
            expectFailing: ['kek-sealed-to-pcrs'],
            stackPatch: '/dev/null',
          },
        },
      ],
    });
    expect(
      planRuns(['boot-binding', 'dns-leakage'], { withMutants: true }, catalog).map(
        (r) => `${r.scenario.name}:${r.mutant ?? ''}`,
      ),
    ).toEqual(['boot-binding:', 'boot-binding:kek-in-the-clear', 'dns-leakage:']);
    expect(() => planRuns(['boot-binding'], { mutant: 'kek-plain-file' }, catalog)).toThrow(
      /mutant kek-plain-file of boot-binding is a patch against the reference stack .*does not run against another stack/,
    );
  });
});
