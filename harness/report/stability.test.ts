import { describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../scenario/scenario-result.ts';
import { checkStability, renderStabilityTable } from './stability.ts';

function run(checks: [string, 'pass' | 'fail' | 'unknown', string][]): ScenarioResult {
  return {
    scenario: 'power-restore',
    description: '',
    status: 'passed',
    startedAt: '2026-12-02T00:00:00.000Z',
    durationMs: 1,
    phases: { imagesMs: 0, bringUpMs: 0, runMs: 0, checksMs: 0, teardownMs: 0 },
    images: {},
    checks: checks.map(([name, status, summary]) => ({
      name,
      description: '',
      status,
      summary,
      durationMs: 0,
      evidenceAtMs: [],
    })),
    history: [],
    logs: [],
  };
}

describe('check stability over repetitions', () => {
  const results = [
    run([
      ['keys-gone', 'pass', 'keys gone by 1793 ms after LB (bound 2000 ms)'],
      ['unseal', 'pass', 'served 900 ms after TPM2_Unseal'],
    ]),
    run([
      ['keys-gone', 'pass', 'keys gone by 788 ms after LB (bound 2000 ms)'],
      ['unseal', 'fail', 'no TPM2_Unseal after power returned'],
    ]),
    run([
      ['keys-gone', 'pass', 'keys gone by 1100 ms after LB (bound 2000 ms)'],
      ['unseal', 'pass', 'served 2796 ms after TPM2_Unseal'],
    ]),
  ];

  it('counts each status per check and marks a check unstable when they differ', () => {
    const rows = checkStability(results);
    expect(rows.map((r) => [r.check, r.stable, r.statuses])).toEqual([
      ['keys-gone', true, { pass: 3 }],
      ['unseal', false, { pass: 2, fail: 1 }],
    ]);
  });

  it('gives the spread of each measured figure, leaving out constants such as the bound', () => {
    const [keys, unseal] = checkStability(results);
    expect(keys?.figures).toEqual([
      {
        template: 'keys gone by # ms after LB (bound # ms)',
        position: 1,
        min: 788,
        median: 1100,
        max: 1793,
      },
    ]);
    // Only the two passes read alike; the failure's wording has no figure to compare.
    expect(unseal?.figures).toEqual([
      { template: 'served # ms after TPM2_Unseal', position: 1, min: 900, median: 1848, max: 2796 },
    ]);
  });

  it('prints unstable checks first, marked, with their counts', () => {
    const table = renderStabilityTable(checkStability(results));
    const lines = table.split('\n');
    expect(lines[0]).toBe('stability over repetitions (1 unstable of 2 checks):');
    expect(lines[1]).toMatch(/^ {2}UNSTABLE {2}power-restore \/ unseal +pass 2\/3, fail 1\/3$/);
    expect(table).toContain('min 788, median 1100, max 1793');
  });

  it('prints nothing for a run without checks', () => {
    expect(renderStabilityTable([])).toBe('');
  });
});
