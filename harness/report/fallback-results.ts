import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeError } from '../util/sovh-error.ts';
import { prepareWritableDir } from '../util/writable-dir.ts';
import type { RunReport } from './run-report.ts';

/** The exit code of a run whose results could not be written where asked: its verdict is unknown. */
export const verdictUnknownExitCode = 3;

/** Where results go when the report directory fails at the end, in the order tried. */
export function fallbackDirs(runId: string): string[] {
  return [join(tmpdir(), `sovh-results-${runId}`), join(process.cwd(), `sovh-results-${runId}`)];
}

/**
 * Saves a run's results.json somewhere when its report directory failed at the end (disk full,
 * directory removed mid-run): a run that was made is never thrown away. Returns the file written,
 * or throws naming every place tried.
 */
export async function saveFallbackResults(report: RunReport): Promise<string> {
  const tried: string[] = [];
  for (const dir of fallbackDirs(report.runId)) {
    try {
      const ready = await prepareWritableDir(dir, 'fallback directory');
      const file = join(ready, 'results.json');
      await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
      return file;
    } catch (error) {
      tried.push(`${dir}: ${describeError(error)}`);
    }
  }
  throw new Error(`no fallback directory could take the results (${tried.join('; ')})`);
}
