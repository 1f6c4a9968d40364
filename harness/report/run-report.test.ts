import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../checks/check.ts';
import type { ScenarioResult } from '../scenario/scenario-result.ts';
import { renderJunit } from './junit-report.ts';
import { newRunId, runExitCode, type RunReport } from './run-report.ts';

function check(name: string, status: CheckResult['status'], summary = name): CheckResult {
  return {
    name,
    description: '',
    status,
    summary,
    durationMs: 12,
    evidenceAtMs: [],
    expected: 'e <1>',
    observed: 'o & "2"',
  };
}

function scenario(checks: CheckResult[], extra: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    scenario: 'demo',
    description: '',
    status: 'passed',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1000,
    phases: { imagesMs: 0, bringUpMs: 0, runMs: 0, checksMs: 0, teardownMs: 0 },
    images: {},
    checks,
    history: [],
    logs: [],
    ...extra,
  };
}

function report(scenarios: ScenarioResult[]): RunReport {
  return {
    format: 'sovh-run/1',
    runId: 'r1',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1,
    command: 'sovh run',
    harness: { version: '0', node: 'v20', platform: 'linux' },
    capabilities: {
      probedAt: '',
      engine: { address: '', flavour: 'docker', version: '', apiVersion: '', kernel: '' },
      entries: [],
    },
    scenarios,
  };
}

describe('run report', () => {
  it('makes sortable run ids', () => {
    expect(newRunId(new Date('2026-11-26T14:15:30Z'))).toMatch(/^20261126-141530-[0-9a-f]{4}$/);
  });

  it('exits 0 only without failures, unknowns and errors; not applicable only under --strict', () => {
    expect(runExitCode(report([scenario([check('a', 'pass')])]))).toBe(0);
    expect(runExitCode(report([scenario([check('a', 'fail')], { status: 'failed' })]))).toBe(1);
    expect(runExitCode(report([scenario([check('a', 'unknown')], { status: 'failed' })]))).toBe(1);
    expect(runExitCode(report([scenario([check('a', 'pass')], { status: 'error' })]))).toBe(1);
    const na = report([scenario([check('a', 'not-applicable')], { status: 'not-applicable' })]);
    expect(runExitCode(na)).toBe(0);
    expect(runExitCode(na, { strict: true })).toBe(1);
  });

  it('renders JUnit with failures, skipped not-applicable checks and errors for unknowns, escaped', () => {
    const xml = renderJunit(
      report([
        scenario(
          [
            check('ok', 'pass'),
            check('bad', 'fail', 'the store answered'),
            check('na', 'not-applicable', 'not applicable: netem missing'),
            check('huh', 'unknown'),
          ],
          {
            mutant: {
              name: 'm1',
              description: '',
              expectFailing: ['bad'],
              caught: true,
              verdict: 'caught',
              verdictDetail: 'bad fail',
            },
            status: 'failed',
          },
        ),
      ]),
    );
    expect(xml).toContain(
      '<testsuite name="demo [mutant m1]" tests="4" failures="1" errors="1" skipped="1"',
    );
    expect(xml).toContain(
      '<failure message="the store answered">the store answered\nexpected: e &lt;1&gt;\nobserved: o &amp; &quot;2&quot;</failure>',
    );
    expect(xml).toContain('<skipped message="not applicable: netem missing"/>');
    expect(xml).toContain('<error message="huh">');
  });
});
