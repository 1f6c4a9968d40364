import { describe, expect, it } from 'vitest';
import { githubAnnotations, underGithubActions } from './github-annotations.ts';
import type { RunReport } from './run-report.ts';
import { sarifOf } from './sarif.ts';
import { syntheticRunReport } from './testing/synthetic-run.ts';

/** The synthetic run with its mutant run's checks moved to a run of the stack under test. */
function stackUnderTestFailing(): RunReport {
  const report = syntheticRunReport();
  return {
    ...report,
    scenarios: report.scenarios.map((s) => ({ ...s, mutant: undefined })),
  };
}

describe('SARIF of a run', () => {
  it('has one rule per check and one result per failed (error) or undecided (warning) check', () => {
    const sarif = sarifOf(stackUnderTestFailing(), { anchor: 'stack/Dockerfile' });
    const [run] = sarif.runs;
    expect(sarif.version).toBe('2.1.0');
    expect(run?.tool.driver.name).toBe('sovh');
    expect(run?.tool.driver.rules.map((r) => r.id)).toContain('thermal-and-power/egress-denied');
    expect(run?.results.map((r) => [r.ruleId, r.level])).toEqual([
      ['thermal-and-power/egress-denied', 'error'],
      ['thermal-and-power/dns-sovereign', 'warning'],
    ]);
    const [failed] = run?.results ?? [];
    expect(failed?.message.text).toContain('3 connections reached the foreign listener');
    expect(failed?.message.text).toContain('expected: 0 connections at 10.80.0.9:443');
    expect(failed?.message.text).toContain(
      'evidence (tcpdump -i eth0 port 443 on foreign-listener)',
    );
    expect(failed?.locations).toEqual([
      { physicalLocation: { artifactLocation: { uri: 'stack/Dockerfile' } } },
    ]);
  });

  it('reports no finding for a mutant run: its failures are the suite catching it', () => {
    expect(sarifOf(syntheticRunReport()).runs[0]?.results).toEqual([]);
  });

  it('carries no location when the stack has no file of its own (an image)', () => {
    const results = sarifOf(stackUnderTestFailing()).runs[0]?.results ?? [];
    expect(results.every((r) => r.locations === undefined)).toBe(true);
  });
});

describe('GitHub annotations', () => {
  it('are one escaped workflow command per finding of the stack under test', () => {
    const report = stackUnderTestFailing();
    const failing = report.scenarios.find((s) => s.checks.some((c) => c.status === 'fail'));
    const check = failing?.checks.find((c) => c.status === 'fail');
    if (check !== undefined) check.summary = '50% lost,\nthen: more';
    expect(githubAnnotations(report, 'stack/Dockerfile')).toEqual([
      '::error file=stack/Dockerfile,title=sovh thermal-and-power%3A egress-denied::fail: 50%25 lost,%0Athen: more',
      expect.stringMatching(
        /^::warning file=stack\/Dockerfile,title=sovh thermal-and-power%3A dns-sovereign::unknown: /,
      ),
    ]);
  });

  it('are printed only under GitHub Actions', () => {
    expect(underGithubActions({ GITHUB_ACTIONS: 'true' })).toBe(true);
    expect(underGithubActions({})).toBe(false);
  });
});
