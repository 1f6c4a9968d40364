import type { ScenarioResult } from '../scenario/scenario-result.ts';
import type { RunReport } from './run-report.ts';

function escapeXml(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      // Characters XML 1.0 cannot carry at all (control characters from tool output).
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
  );
}

function suiteName(result: ScenarioResult): string {
  return result.mutant === undefined
    ? result.scenario
    : `${result.scenario} [mutant ${result.mutant.name}]`;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/**
 * JUnit XML: one testsuite per scenario run (a mutant run is its own suite), one testcase per
 * check. "not applicable" is <skipped> with its reason, "unknown" is <error>: neither is a pass.
 */
export function renderJunit(report: RunReport): string {
  const suites = report.scenarios.map((result) => {
    const cases = result.checks.map((check) => {
      const detail = [
        check.summary,
        check.expected === undefined ? '' : `expected: ${check.expected}`,
        check.observed === undefined ? '' : `observed: ${check.observed}`,
        ...(check.evidence ?? []).map((e) => `${e.source}: ${e.excerpt}`),
      ]
        .filter(Boolean)
        .join('\n');
      const open = `    <testcase classname="${escapeXml(suiteName(result))}" name="${escapeXml(check.name)}" time="${seconds(check.durationMs)}">`;
      switch (check.status) {
        case 'pass':
          return `${open}</testcase>`;
        case 'fail':
          return `${open}\n      <failure message="${escapeXml(check.summary)}">${escapeXml(detail)}</failure>\n    </testcase>`;
        case 'not-applicable':
          return `${open}\n      <skipped message="${escapeXml(check.summary)}"/>\n    </testcase>`;
        case 'unknown':
          return `${open}\n      <error message="${escapeXml(check.summary)}">${escapeXml(detail)}</error>\n    </testcase>`;
      }
    });
    if (result.status === 'error' && result.reason !== undefined) {
      cases.push(
        `    <testcase classname="${escapeXml(suiteName(result))}" name="run" time="${seconds(result.phases.runMs)}">\n      <error message="${escapeXml(result.reason)}"/>\n    </testcase>`,
      );
    }
    const count = (status: string) => result.checks.filter((c) => c.status === status).length;
    const errors = count('unknown') + (result.status === 'error' ? 1 : 0);
    return [
      `  <testsuite name="${escapeXml(suiteName(result))}" tests="${cases.length}" failures="${count('fail')}" errors="${errors}" skipped="${count('not-applicable')}" time="${seconds(result.durationMs)}" timestamp="${result.startedAt}">`,
      ...cases,
      '  </testsuite>',
    ].join('\n');
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="sovh run ${escapeXml(report.runId)}" time="${seconds(report.durationMs)}">\n${suites.join('\n')}\n</testsuites>\n`;
}
