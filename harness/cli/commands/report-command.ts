import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { renderHtmlReport } from '../../report/html/report-page.ts';
import { readResultsFile } from '../../report/results-file.ts';

/** `sovh report RUN-DIR`: renders report.html again from the run's results.json. */
export async function reportCommand(runDir: string): Promise<number> {
  const { file, report } = await readResultsFile(runDir);
  const target = join(dirname(file), 'report.html');
  await writeFile(target, renderHtmlReport(report));
  process.stdout.write(`report: ${target}\n`);
  return 0;
}
