import { describe, expect, it } from 'vitest';
import { pass } from '../checks/verdict.ts';
import { defineScenario, type Mutant, type Scenario } from './scenario.ts';
import { mutantCaught, scenarioStatus } from './scenario-result.ts';
import type { CheckResult } from '../checks/check.ts';

const base: Scenario = {
  name: 'demo',
  description: 'demo',
  needs: [],
  topology: {
    zones: [{ name: 'z', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.1.0.0/16'] }],
  },
  run: () => Promise.resolve(),
  checks: [{ name: 'a', description: '', verify: () => pass('ok') }],
  mutants: [{ name: 'm', description: '', expectFailing: ['a'], topology: (t) => t }],
};

describe('defineScenario', () => {
  it('accepts a coherent scenario', () => {
    expect(defineScenario(base).name).toBe('demo');
  });

  it('requires a negative control that names existing checks and changes something', () => {
    expect(() => defineScenario({ ...base, mutants: [] })).toThrow(/at least one mutant/);
    expect(() =>
      defineScenario({
        ...base,
        mutants: [{ name: 'm', description: '', expectFailing: ['zz'], topology: (t) => t }],
      }),
    ).toThrow(/expects check "zz" to fail, but the scenario has no such check \(checks: a\)/);
    expect(() =>
      defineScenario({ ...base, mutants: [{ name: 'm', description: '', expectFailing: ['a'] }] }),
    ).toThrow(/changes nothing/);
  });

  it('refuses a mutant that skips nothing, or skips the step it stops after', () => {
    const [mutant] = base.mutants as [Mutant];
    expect(() => defineScenario({ ...base, mutants: [{ ...mutant, skipSteps: [] }] })).toThrow(
      /empty skipSteps/,
    );
    expect(() =>
      defineScenario({
        ...base,
        mutants: [{ ...mutant, skipSteps: ['s'], stopAfterStep: 's' }],
      }),
    ).toThrow(/stops after step "s", which it also skips/);
  });
});

function result(name: string, status: CheckResult['status']): CheckResult {
  return { name, description: '', status, summary: '', durationMs: 0, evidenceAtMs: [] };
}

describe('scenario status', () => {
  it('never counts not applicable or unknown as passed', () => {
    expect(scenarioStatus([result('a', 'pass')], undefined)).toBe('passed');
    expect(scenarioStatus([result('a', 'pass'), result('b', 'unknown')], undefined)).toBe('failed');
    expect(scenarioStatus([result('a', 'pass'), result('b', 'not-applicable')], undefined)).toBe(
      'not-applicable',
    );
    expect(scenarioStatus([result('a', 'pass')], 'schedule stopped')).toBe('error');
    expect(scenarioStatus([result('a', 'fail')], 'schedule stopped')).toBe('failed');
  });

  it('catches a mutant only when every named check failed', () => {
    expect(mutantCaught([result('a', 'fail'), result('b', 'fail')], ['a', 'b'])).toBe(true);
    expect(mutantCaught([result('a', 'fail'), result('b', 'unknown')], ['a', 'b'])).toBe(false);
    expect(mutantCaught([result('a', 'not-applicable')], ['a'])).toBe(false);
  });
});
