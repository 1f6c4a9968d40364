import { writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { RunSettings } from '../config/run-settings.ts';
import { githubAnnotations, underGithubActions } from '../report/github-annotations.ts';
import type { RunReport } from '../report/run-report.ts';
import { sarifOf } from '../report/sarif.ts';
import { prepareWritableDir } from '../util/writable-dir.ts';

/**
 * The file a finding is shown against in the forge: the stack's Dockerfile when the stack is a
 * directory, else the config file that chose it; relative to the working directory (the
 * repository's root in CI), with forward slashes as SARIF wants.
 */
export function findingsAnchor(
  settings: Pick<RunSettings, 'stack' | 'config'>,
  cwd: string = process.cwd(),
): string | undefined {
  const file =
    settings.stack.kind === 'dockerfile'
      ? join(settings.stack.dir, 'Dockerfile')
      : settings.config?.file;
  if (file === undefined) return undefined;
  const path = relative(cwd, resolve(cwd, file)).split('\\').join('/');
  return path.startsWith('..') ? undefined : path;
}

/** Checks where the SARIF file goes before any slow work, as the report directory is. */
export async function prepareSarifPath(sarif: string | undefined): Promise<string | undefined> {
  if (sarif === undefined) return undefined;
  const path = resolve(sarif);
  await prepareWritableDir(dirname(path), 'SARIF file directory');
  return path;
}

/**
 * What a run publishes for a forge besides its reports: the SARIF file when asked for, and one
 * annotation per finding when it runs under GitHub Actions.
 */
export async function publishFindings(
  report: RunReport,
  sarifPath: string | undefined,
  anchor: string | undefined,
): Promise<string[]> {
  const lines: string[] = [];
  if (sarifPath !== undefined) {
    await writeFile(sarifPath, `${JSON.stringify(sarifOf(report, { anchor }), null, 2)}\n`);
    lines.push(`sarif: ${sarifPath}`);
  }
  if (underGithubActions()) lines.push(...githubAnnotations(report, anchor));
  return lines;
}
