import { describe, expect, it } from 'vitest';
import { planRuns } from './run-command.ts';

describe('planRuns', () => {
  it('runs every scenario when none is named, and adds mutants on request', () => {
    const plain = planRuns([], {});
    expect(plain.every((r) => r.mutant === undefined)).toBe(true);
    const withMutants = planRuns(['boot-binding'], { withMutants: true });
    expect(withMutants.map((r) => r.mutant)).toEqual([
      undefined,
      'kek-plain-file',
      'kek-no-pcr-policy',
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
});
