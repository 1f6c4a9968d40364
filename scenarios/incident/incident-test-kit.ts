import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { readResultsFile } from '../../harness/report/results-file.ts';
import type { ScenarioResult } from '../../harness/scenario/scenario-result.ts';
import { runCli } from '../../harness/testing/run-cli.ts';

/** An example incident file of this repository (examples/incidents/FILE). */
export function exampleIncident(file: string): string {
  return join(import.meta.dirname, '..', '..', 'examples', 'incidents', file);
}

/**
 * Runs an incident file as a user does (`sovh run FILE [--mutant M]`, in the test's namespace),
 * expects exit 0 (the reference passed, or the mutant was caught: its expected checks failed),
 * and returns the one scenario run its results.json records, and the report folder.
 */
export async function runIncidentFile(
  file: string,
  namespace: string,
  mutant?: string,
): Promise<{ scenario: ScenarioResult | undefined; reportDir: string }> {
  const reportDir = await mkdtemp(join(tmpdir(), 'sovh-incident-'));
  const run = await runCli(
    ['run', file, ...(mutant === undefined ? [] : ['--mutant', mutant]), '--report-dir', reportDir],
    { SOVH_NAMESPACE: namespace },
  );
  expect(run.exitCode, run.all).toBe(0);
  const [scenario] = (await readResultsFile(reportDir)).report.scenarios;
  return { scenario, reportDir };
}
