import { describe, expect, it } from 'vitest';
import type { RunReport } from '../report/run-report.ts';
import { syntheticRunReport } from '../report/testing/synthetic-run.ts';
import { certificationVerdict, renderCertificationVerdict } from './certification-verdict.ts';

/** The synthetic run's passing reference scenario alone, under another name when asked. */
function runOf(...names: string[]): RunReport {
  const report = syntheticRunReport();
  const [reference] = report.scenarios;
  if (reference === undefined) throw new Error('no reference scenario');
  return { ...report, scenarios: names.map((scenario) => ({ ...reference, scenario })) };
}

describe('the certification verdict', () => {
  it('certifies only when every scenario of the catalog ran and every check passed', () => {
    const verdict = certificationVerdict(runOf('a', 'b'), ['a', 'b'], ['m1']);
    expect(verdict).toEqual({
      outcome: 'certified',
      scenarios: { catalog: ['a', 'b'], ran: ['a', 'b'] },
      refusals: [],
      onCertifiedTpm: [],
    });
    expect(renderCertificationVerdict(verdict)).toBe(
      "CERTIFIED: all 2 scenarios ran and every check passed\nthe certified machine's real TPM took part in no scenario; a, b had no machine of those names (simulated devices)",
    );
  });

  it('refuses, naming each scenario and check, when one is not applicable', () => {
    const report = runOf('a', 'power');
    const power = report.scenarios[1];
    if (power === undefined) throw new Error('no second scenario');
    report.scenarios[1] = {
      ...power,
      status: 'not-applicable',
      reason: 'needs a simulated UPS: ups1 is real',
      checks: power.checks.map((c) => ({
        ...c,
        status: 'not-applicable',
        summary: 'not applicable: needs a simulated UPS',
      })),
    };
    const verdict = certificationVerdict(report, ['a', 'power'], ['m1']);
    expect(verdict.outcome).toBe('refused');
    expect(verdict.refusals).toEqual([
      'power: not-applicable: needs a simulated UPS: ups1 is real',
      'power/thermal-alarm: not-applicable: not applicable: needs a simulated UPS',
    ]);
    expect(renderCertificationVerdict(verdict)).toContain('NOT CERTIFIED: 2 reason(s)');
  });

  it('refuses a failed or unknown check, and a scenario without checks', () => {
    const report = runOf('a', 'b');
    const [a, b] = report.scenarios;
    if (a === undefined || b === undefined) throw new Error('no scenarios');
    report.scenarios = [
      { ...a, checks: a.checks.map((c) => ({ ...c, status: 'unknown', summary: 'no data' })) },
      { ...b, status: 'error', reason: 'world did not start', checks: [] },
    ];
    expect(certificationVerdict(report, ['a', 'b'], ['m1']).refusals).toEqual([
      'a/thermal-alarm: unknown: no data',
      'b: error: world did not start',
      'b: no check ran',
    ]);
  });

  it('calls a run of some scenarios partial, naming what did not run', () => {
    const verdict = certificationVerdict(runOf('a'), ['a', 'b', 'c'], ['m1']);
    expect(verdict.outcome).toBe('partial');
    expect(verdict.refusals).toEqual(['not run (a partial run is not a certification): b, c']);
    expect(renderCertificationVerdict(verdict)).toMatch(
      /^PARTIAL, NOT A CERTIFICATION: 1 of 3 scenarios ran/,
    );
  });

  it("names the scenarios in which the certified machine's real TPM took part", () => {
    const report = runOf('a', 'b');
    const [a] = report.scenarios;
    if (a === undefined) throw new Error('no scenario');
    report.scenarios[0] = {
      ...a,
      world: {
        networks: [],
        nodes: [],
        devices: [
          {
            node: 'm1',
            device: 'tpm',
            real: true,
            detail: 'real TPM at swtpm:host=10.0.0.2,port=2321',
          },
          { node: 'm2', device: 'tpm', real: false, detail: 'swtpm' },
        ],
      },
    };
    const verdict = certificationVerdict(report, ['a', 'b'], ['m1']);
    expect(verdict.onCertifiedTpm).toEqual(['a']);
    expect(certificationVerdict(report, ['a', 'b'], ['m2']).onCertifiedTpm).toEqual([]);
    expect(renderCertificationVerdict(verdict)).toContain(
      "the certified machine's real TPM took part in a; b had no machine of those names",
    );
  });

  it('does not count mutant runs as scenarios', () => {
    const report = syntheticRunReport();
    const verdict = certificationVerdict(report, ['thermal-and-power'], ['m1']);
    expect(verdict.outcome).toBe('certified');
  });
});
