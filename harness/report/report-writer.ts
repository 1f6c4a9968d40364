import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ImageFacts } from '../engine/image-facts.ts';
import {
  writeEvidenceBundle,
  type BundleAttestor,
  type WrittenBundle,
} from './bundle/bundle-writer.ts';
import { evidenceFiles } from './bundle/evidence-files.ts';
import { renderHtmlReport } from './html/report-page.ts';
import { renderJunit } from './junit-report.ts';
import type { RunReport } from './run-report.ts';
import { prepareWritableDir } from '../util/writable-dir.ts';

/**
 * The default home of run output: reports/<run-id>/ in the working directory (this repository's
 * root, or a stack's repository where the package is installed; a config file may name another).
 */
export const defaultReportsRoot = resolve(process.cwd(), 'reports');

export interface WrittenReport {
  dir: string;
  /** results.json, junit.xml, report.html and the bundle's archive. */
  files: string[];
  html: string;
  bundle: WrittenBundle;
}

export interface ReportWriterOptions {
  /** Asks the engine for the images' digests; without it the bundle says they were not asked. */
  inspectImages?: (tags: string[]) => Promise<ImageFacts[]>;
  /** More files for the bundle (a certification's product and verdict), by path inside it. */
  extraFiles?: ReadonlyMap<string, Buffer>;
  /** Binds the bundle once its manifest exists (a TPM quote over the manifest's hash). */
  attest?: BundleAttestor;
}

/**
 * Writes a run's output: results.json (the whole run, the source of every other report),
 * junit.xml, report.html, and the signed evidence bundle as evidence/ and evidence.tar.gz.
 */
export async function writeRunReport(
  report: RunReport,
  dir: string,
  options: ReportWriterOptions = {},
): Promise<WrittenReport> {
  await prepareWritableDir(dir, 'report directory');
  const resultsJson = Buffer.from(`${JSON.stringify(report, null, 2)}\n`);
  const junitXml = Buffer.from(renderJunit(report));
  const reportHtml = Buffer.from(renderHtmlReport(report));
  const paths = {
    results: join(dir, 'results.json'),
    junit: join(dir, 'junit.xml'),
    html: join(dir, 'report.html'),
  };
  await writeFile(paths.results, resultsJson);
  await writeFile(paths.junit, junitXml);
  await writeFile(paths.html, reportHtml);
  const tags = report.scenarios.flatMap((s) => Object.values(s.images));
  const imageFacts =
    options.inspectImages === undefined ? undefined : await options.inspectImages(tags);
  const files = evidenceFiles({ report, resultsJson, junitXml, reportHtml, imageFacts });
  for (const [path, content] of options.extraFiles ?? new Map<string, Buffer>()) {
    if (files.has(path)) throw new TypeError(`"${path}" is already a file of the bundle`);
    files.set(path, content);
  }
  const bundle = await writeEvidenceBundle(
    join(dir, 'evidence'),
    files,
    {
      runId: report.runId,
      createdAt: new Date(Date.parse(report.startedAt) + report.durationMs).toISOString(),
    },
    options.attest,
  );
  return {
    dir,
    files: [paths.results, paths.junit, paths.html, bundle.archive],
    html: paths.html,
    bundle,
  };
}
