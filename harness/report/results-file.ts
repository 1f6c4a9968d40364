import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError, SovhError } from '../util/sovh-error.ts';
import type { RunReport } from './run-report.ts';

/** Reads a run's results.json (given the run folder or the file) and checks it is one. */
export async function readResultsFile(path: string): Promise<{ file: string; report: RunReport }> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) {
    throw new SovhError(
      'RESULTS_NOT_FOUND',
      `no run at ${path}; give a run folder such as reports/<run-id> (it holds results.json)`,
    );
  }
  const file = info.isDirectory() ? join(path, 'results.json') : path;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SovhError(
      'RESULTS_NOT_FOUND',
      `cannot read ${file} (${describeError(error)}); give a run folder written by \`sovh run\``,
      { cause: error },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SovhError('RESULTS_INVALID', `${file} is not JSON: ${describeError(error)}`, {
      cause: error,
    });
  }
  const report = parsed as Partial<RunReport>;
  if (report.format !== 'sovh-run/1' || !Array.isArray(report.scenarios)) {
    throw new SovhError(
      'RESULTS_INVALID',
      `${file} is not the results of a sovh run (format "sovh-run/1" with a scenarios list); was it written by \`sovh run\`?`,
    );
  }
  return { file, report: report as RunReport };
}
