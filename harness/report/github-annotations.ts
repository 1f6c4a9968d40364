import type { RunReport } from './run-report.ts';
import { runLabel } from './scenario-run-label.ts';

/** GitHub's workflow-command escaping: data loses %, CR and LF; properties also : and ,. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * One workflow command per check of the stack under test that failed (`::error`) or could not be
 * decided (`::warning`), so each shows as a one-line annotation on the job's summary page. Mutant
 * runs are left out: their failures are the suite catching them, not findings.
 */
export function githubAnnotations(report: RunReport, anchor?: string): string[] {
  const file = anchor === undefined ? '' : `file=${escapeProperty(anchor)},`;
  return report.scenarios
    .filter((scenario) => scenario.mutant === undefined)
    .flatMap((scenario) =>
      scenario.checks
        .filter((check) => check.status === 'fail' || check.status === 'unknown')
        .map((check) => {
          const level = check.status === 'fail' ? 'error' : 'warning';
          const title = escapeProperty(`sovh ${runLabel(scenario)}: ${check.name}`);
          return `::${level} ${file}title=${title}::${escapeData(`${check.status}: ${check.summary}`)}`;
        }),
    );
}

/** GitHub Actions sets GITHUB_ACTIONS=true in every step it runs. */
export function underGithubActions(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.GITHUB_ACTIONS === 'true';
}
