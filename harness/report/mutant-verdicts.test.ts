import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../checks/check.ts';
import { judgeMutant, type ScenarioResult } from '../scenario/scenario-result.ts';
import { mutantRunExitCode, mutantUnjudgedExitCode, renderMutantTable } from './mutant-verdicts.ts';

function check(name: string, status: CheckResult['status'], summary = ''): CheckResult {
  return { name, description: '', status, summary, durationMs: 0, evidenceAtMs: [] };
}

function mutantRun(checks: CheckResult[], expectFailing: string[]): ScenarioResult {
  const judged = judgeMutant(checks, expectFailing);
  return {
    scenario: 'demo',
    mutant: {
      name: 'm',
      description: '',
      expectFailing,
      caught: judged.verdict === 'caught',
      ...judged,
    },
    checks,
  } as unknown as ScenarioResult;
}

describe('mutant verdicts', () => {
  it('are caught only when every named check failed', () => {
    expect(judgeMutant([check('a', 'fail'), check('b', 'fail')], ['a', 'b']).verdict).toBe(
      'caught',
    );
  });

  it('escape when a named check passed on the broken stack, naming it', () => {
    const judged = judgeMutant([check('a', 'fail'), check('b', 'pass', 'all quiet')], ['a', 'b']);
    expect(judged).toEqual({
      verdict: 'escaped',
      verdictDetail: 'passed on the broken stack: b pass: all quiet',
    });
  });

  it('cannot be judged when a named check was not applicable, unknown or never run', () => {
    const judged = judgeMutant(
      [check('a', 'not-applicable', 'not applicable: netem missing'), check('b', 'unknown', 'x')],
      ['a', 'b', 'c'],
      'bring-up failed',
    );
    expect(judged.verdict).toBe('unjudged');
    expect(judged.verdictDetail).toBe(
      'a not-applicable: not applicable: netem missing; b unknown: x; c missing: not run; the run stopped: bring-up failed',
    );
  });

  it('give distinct exit codes: escaped 1, could not be judged 4, caught 0', () => {
    const caught = mutantRun([check('a', 'fail')], ['a']);
    const escaped = mutantRun([check('a', 'pass')], ['a']);
    const unjudged = mutantRun([check('a', 'not-applicable')], ['a']);
    expect(mutantRunExitCode([caught], false)).toBe(0);
    expect(mutantRunExitCode([caught, unjudged], false)).toBe(mutantUnjudgedExitCode);
    expect(mutantRunExitCode([unjudged, escaped], false)).toBe(1);
    expect(mutantRunExitCode([caught], true)).toBe(1);
  });

  it('print one table line per mutant with its verdict and why', () => {
    const table = renderMutantTable([
      mutantRun([check('a', 'fail')], ['a']),
      mutantRun([check('a', 'pass', 'fine')], ['a']),
    ]);
    expect(table.split('\n')).toEqual([
      'mutants:',
      '  demo [mutant m]  caught   a fail',
      '  demo [mutant m]  ESCAPED  passed on the broken stack: a pass: fine',
      '  1 caught, 1 escaped, 0 could not be judged',
    ]);
  });
});
