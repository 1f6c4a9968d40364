import { describe, expect, it } from 'vitest';
import { replayPlan } from './replay-plan.ts';
import type { RunReport } from './run-report.ts';
import { syntheticRunReport } from './testing/synthetic-run.ts';

const harness = { version: '0.1.0' };

function seeded(change: (report: RunReport) => RunReport = (r) => r): RunReport {
  const report = syntheticRunReport();
  return change({
    ...report,
    seed: 42,
    options: { cwd: '/src', stack: 'reference', strict: true },
    scenarios: report.scenarios.map((s) => ({ ...s, seed: 42 })),
  });
}

describe('replayPlan', () => {
  it('makes every recorded scenario run again with its mutant, its seed and the recorded flags', () => {
    const plan = replayPlan(seeded(), 'run/results.json', harness, '/elsewhere');
    expect(plan.runId).toBe('20261126-100000-abcd');
    expect(plan.runs).toEqual([
      { scenario: 'thermal-and-power', seed: 42 },
      { scenario: 'thermal-and-power', mutant: 'egress-accept', seed: 42 },
    ]);
    expect(plan.options).toEqual({ cwd: '/src', stack: 'reference', strict: true });
  });

  it("takes each scenario run's own seed over the run's (a merge of shards with different seeds)", () => {
    const report = seeded((r) => {
      return {
        ...r,
        seed: undefined,
        scenarios: r.scenarios.map((s, i) => ({ ...s, seed: 7 + i })),
      };
    });
    expect(replayPlan(report, 'f', harness, '/d').runs.map((r) => r.seed)).toEqual([7, 8]);
  });

  it('refuses results of another harness version, naming both versions', () => {
    const other = seeded((r) => ({ ...r, harness: { ...r.harness, version: '0.0.9' } }));
    expect(() => replayPlan(other, 'old/results.json', harness, '/d')).toThrow(
      /old\/results\.json was written by sovh 0\.0\.9, this is sovh 0\.1\.0: .*npx sovh@0\.0\.9 replay/,
    );
  });

  it('refuses results without seeds, a live world without checks, and a run with no scenario', () => {
    const unseeded = syntheticRunReport();
    expect(() => replayPlan(unseeded, 'f', harness, '/d')).toThrow(
      /scenarios\[0\] \(thermal-and-power\) has no seed: it was recorded before runs had seeds.*sovh run --seed N/,
    );
    const live = seeded((r) => ({
      ...r,
      scenarios: r.scenarios.map((s) => ({ ...s, checks: [] })),
    }));
    expect(() => replayPlan(live, 'f', harness, '/d')).toThrow(/history of a live world/);
    expect(() =>
      replayPlan(
        seeded((r) => ({ ...r, scenarios: [] })),
        'f',
        harness,
        '/d',
      ),
    ).toThrow(/records no scenario run/);
    const edited = seeded((r) => ({
      ...r,
      scenarios: [{ ...r.scenarios[0], scenario: 3 } as unknown as RunReport['scenarios'][0]],
    }));
    expect(() => replayPlan(edited, 'f', harness, '/d')).toThrow(
      /f: scenarios\[0\] is not a scenario run/,
    );
  });

  it('tells a certification from a plain run by its recorded command', () => {
    expect(replayPlan(seeded(), 'f', harness, '/d').certification).toBe(false);
    const certification = seeded((r) => ({
      ...r,
      command: 'sovh certify --profile lab.yaml --product product.yaml',
      options: { cwd: '/src', profile: 'lab.yaml' },
    }));
    expect(replayPlan(certification, 'f', harness, '/d')).toMatchObject({
      certification: true,
      options: { profile: 'lab.yaml' },
    });
  });

  it('falls back to the run folder as the working directory when no flags were recorded', () => {
    const report = seeded((r) => ({ ...r, options: undefined }));
    expect(replayPlan(report, 'f', harness, '/runs/x').options).toEqual({ cwd: '/runs/x' });
  });
});
