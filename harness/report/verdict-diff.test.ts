import { describe, expect, it } from 'vitest';
import type { VerdictStatus } from '../checks/verdict.ts';
import type { ScenarioResult } from '../scenario/scenario-result.ts';
import { diffVerdicts, renderVerdictDiff } from './verdict-diff.ts';

function run(
  scenario: string,
  checks: Record<string, VerdictStatus>,
  mutant?: string,
): ScenarioResult {
  return {
    scenario,
    description: '',
    ...(mutant === undefined
      ? {}
      : {
          mutant: {
            name: mutant,
            description: '',
            expectFailing: [],
            caught: false,
            verdict: 'unjudged' as const,
            verdictDetail: '',
          },
        }),
    status: 'passed',
    startedAt: '2026-12-02T00:00:00.000Z',
    durationMs: 0,
    phases: { imagesMs: 0, bringUpMs: 0, runMs: 0, checksMs: 0, teardownMs: 0 },
    images: {},
    checks: Object.entries(checks).map(([name, status]) => ({
      name,
      description: '',
      status,
      summary: `${name} ${status} after 12 ms`,
      durationMs: 0,
      evidenceAtMs: [],
    })),
    history: [],
    logs: [],
  };
}

describe('diffVerdicts', () => {
  it('finds no difference when every check has its recorded status, whatever the summaries say', () => {
    const recorded = [run('dns', { a: 'pass', b: 'fail' }), run('dns', { a: 'fail' }, 'm')];
    const other = run('dns', { b: 'fail', a: 'pass' });
    other.checks = other.checks.map((c) => ({ ...c, summary: 'other values measured' }));
    const replayed = [run('dns', { a: 'fail' }, 'm'), other];
    const diff = diffVerdicts(recorded, replayed);
    expect(diff.differences).toEqual([]);
    expect(diff.comparisons.map((c) => `${c.run}: ${c.check}`)).toEqual([
      'dns: a',
      'dns: b',
      'dns [mutant m]: a',
    ]);
  });

  it('names each check whose status changed, one missing on either side, and a missing run', () => {
    const recorded = [
      run('dns', { a: 'fail', b: 'pass', gone: 'pass' }),
      run('tls', { x: 'fail' }),
    ];
    const replayed = [run('dns', { a: 'pass', b: 'pass', added: 'unknown' })];
    const diff = diffVerdicts(recorded, replayed);
    expect(diff.differences.map((c) => [c.run, c.check, c.recorded, c.replayed])).toEqual([
      ['dns', 'a', 'fail', 'pass'],
      ['dns', 'gone', 'pass', 'missing'],
      ['dns', 'added', 'missing', 'unknown'],
      ['tls', 'x', 'fail', 'missing'],
    ]);
  });

  it('pairs repetitions of one scenario run in order', () => {
    const recorded = [run('dns', { a: 'pass' }), run('dns', { a: 'fail' })];
    const same = diffVerdicts(recorded, [run('dns', { a: 'pass' }), run('dns', { a: 'fail' })]);
    expect(same.differences).toEqual([]);
    const swapped = diffVerdicts(recorded, [run('dns', { a: 'fail' }), run('dns', { a: 'pass' })]);
    expect(swapped.differences.map((c) => c.run)).toEqual(['dns', 'dns #2']);
  });

  it('renders every check, the differing ones with both summaries, and a closing count', () => {
    const text = renderVerdictDiff(
      diffVerdicts([run('dns', { a: 'fail', b: 'pass' })], [run('dns', { a: 'pass', b: 'pass' })]),
      '20261202-210000-abcd',
    );
    expect(text).toContain('verdicts against the recorded run 20261202-210000-abcd:');
    expect(text).toMatch(
      / {2}DIFFERS {2}dns: a {2}recorded fail, now pass\n +was: a fail after 12 ms\n +now: a pass after 12 ms/,
    );
    expect(text).toMatch(/ {2}same {5}dns: b {2}pass/);
    expect(text).toMatch(/replay: 1 of 2 verdict\(s\) differ from the recorded run$/);
    expect(renderVerdictDiff(diffVerdicts([], []), 'r')).toMatch(/all 0 verdict\(s\) the same/);
  });
});
