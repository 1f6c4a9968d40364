import type { CheckResult } from '../checks/check.ts';
import type { RunReport } from './run-report.ts';
import { runLabel } from './scenario-run-label.ts';

/**
 * SARIF 2.1.0, the format forges read for their code-scanning view: one rule per check of the
 * run, one result per check that failed (error) or could not be decided (warning). Only the parts
 * a reader uses are typed here.
 */
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: SarifRun[];
}

interface SarifRun {
  tool: { driver: { name: string; version: string; informationUri: string; rules: SarifRule[] } };
  automationDetails: { id: string };
  results: SarifResult[];
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
}

interface SarifResult {
  ruleId: string;
  level: 'error' | 'warning';
  message: { text: string };
  locations?: { physicalLocation: { artifactLocation: { uri: string } } }[];
  partialFingerprints: { sovhCheck: string };
}

export interface SarifOptions {
  /**
   * The file in the repository a finding is shown against (the stack's Dockerfile, or the config
   * file), relative to the repository root. Code scanning needs a location; a run against an image
   * has no file of its own, and its findings carry none.
   */
  anchor?: string;
}

const evidenceChars = 600;

function ruleId(scenario: string, check: string): string {
  return `${scenario}/${check}`;
}

/** What a reader of one finding needs: the verdict, expected against observed, the first evidence. */
function messageOf(run: string, check: CheckResult): string {
  const lines = [`${run}: ${check.name} ${check.status}: ${check.summary}`];
  if (check.expected !== undefined) lines.push(`expected: ${check.expected}`);
  if (check.observed !== undefined) lines.push(`observed: ${check.observed}`);
  for (const item of check.evidence ?? []) {
    const excerpt =
      item.excerpt.length > evidenceChars
        ? `${item.excerpt.slice(0, evidenceChars)}…`
        : item.excerpt;
    lines.push(`evidence (${item.source}):\n${excerpt}`);
  }
  return lines.join('\n');
}

export function sarifOf(report: RunReport, options: SarifOptions = {}): SarifLog {
  const rules = new Map<string, SarifRule>();
  const results: SarifResult[] = [];
  for (const scenario of report.scenarios) {
    const run = runLabel(scenario);
    for (const check of scenario.checks) {
      const id = ruleId(scenario.scenario, check.name);
      if (!rules.has(id))
        rules.set(id, {
          id,
          name: check.name,
          shortDescription: { text: `${scenario.scenario}: ${check.name}` },
          fullDescription: { text: check.description },
        });
      // A mutant run's failures are the harness doing its job: only the stack under test's count.
      if (scenario.mutant !== undefined) continue;
      if (check.status !== 'fail' && check.status !== 'unknown') continue;
      results.push({
        ruleId: id,
        level: check.status === 'fail' ? 'error' : 'warning',
        message: { text: messageOf(run, check) },
        ...(options.anchor === undefined
          ? {}
          : { locations: [{ physicalLocation: { artifactLocation: { uri: options.anchor } } }] }),
        partialFingerprints: { sovhCheck: id },
      });
    }
  }
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'sovh',
            version: report.harness.version,
            informationUri: 'https://www.npmjs.com/package/sovh',
            rules: [...rules.values()],
          },
        },
        automationDetails: { id: `sovh/${report.runId}` },
        results,
      },
    ],
  };
}
