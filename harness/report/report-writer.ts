import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { renderJunit } from './junit-report.ts';
import type { RunReport } from './run-report.ts';

/** The default home of run output: reports/<run-id>/ under the project. */
export const defaultReportsRoot = resolve(import.meta.dirname, '..', '..', 'reports');

export interface WrittenReport {
  dir: string;
  files: string[];
}

/** Writes results.json (the whole run, the source of every other report) and junit.xml. */
export async function writeRunReport(report: RunReport, dir: string): Promise<WrittenReport> {
  await mkdir(dir, { recursive: true });
  const files = [join(dir, 'results.json'), join(dir, 'junit.xml')];
  await writeFile(files[0] ?? '', `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(files[1] ?? '', renderJunit(report));
  return { dir, files };
}
