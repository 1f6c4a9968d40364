import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ImageFacts } from '../../engine/image-facts.ts';
import { readBundle } from '../../report/bundle/bundle-reader.ts';
import { verifyBundle } from '../../report/bundle/bundle-verifier.ts';
import { renderConsoleSummary } from '../../report/console-summary.ts';
import { exitCodeOfRun, renderMutantTable } from '../../report/mutant-verdicts.ts';
import { defaultReportsRoot, writeRunReport } from '../../report/report-writer.ts';
import type { RunReport } from '../../report/run-report.ts';
import { mergeShardReports, type ShardOutput } from '../../shard/merge-runs.ts';
import { runSettings } from '../../config/run-settings.ts';
import { findingsAnchor, prepareSarifPath, publishFindings } from '../findings-output.ts';
import { describeError, SovhError } from '../../util/sovh-error.ts';
import { prepareWritableDir } from '../../util/writable-dir.ts';

async function bundleOf(dir: string): Promise<string> {
  for (const candidate of [join(dir, 'evidence.tar.gz'), join(dir, 'evidence')]) {
    if (
      await access(candidate).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  throw new SovhError(
    'SHARD_NOT_FOUND',
    `${dir} holds no evidence bundle (evidence.tar.gz or evidence/): give the report folder a \`sovh run --shard i/n\` wrote`,
  );
}

function parseJson(bytes: Buffer | undefined, what: string): unknown {
  if (bytes === undefined) throw new SovhError('SHARD_INVALID', `${what} is missing`);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new SovhError('SHARD_INVALID', `${what} is not JSON: ${describeError(error)}`);
  }
}

/**
 * Reads one shard from its signed bundle, not from the loose results.json beside it: a merged
 * report must rest only on evidence whose signature holds.
 */
async function readShard(dir: string): Promise<ShardOutput> {
  const bundlePath = await bundleOf(dir);
  const bundle = await readBundle(bundlePath);
  const verification = verifyBundle(bundle);
  if (!verification.ok || verification.keyFingerprint === undefined) {
    const problems = [
      ...verification.problems,
      ...verification.changed.map((c) => `${c.path} changed`),
      ...verification.missing.map((m) => `${m} missing`),
      ...verification.added.map((a) => `${a} added`),
    ];
    throw new SovhError(
      'SHARD_TAMPERED',
      `the evidence bundle ${bundlePath} does not verify (${problems.join('; ') || `signature ${verification.signature}`}); run \`npx sovh verify ${bundlePath}\` for details`,
    );
  }
  return {
    source: dir,
    report: parseJson(bundle.files.get('results.json'), `${bundlePath}: results.json`) as RunReport,
    keyFingerprint: verification.keyFingerprint,
    imageFacts: parseJson(
      bundle.files.get('run/images.json'),
      `${bundlePath}: run/images.json`,
    ) as ImageFacts[],
  };
}

/** `sovh merge DIR...`: one report and one signed bundle from the report folders of every shard. */
export async function mergeCommand(
  dirs: readonly string[],
  options: { reportDir?: string; strict?: boolean; sarif?: string; config?: string },
): Promise<number> {
  const sarifPath = await prepareSarifPath(options.sarif);
  const shards = await Promise.all(dirs.map((dir) => readShard(resolve(dir))));
  const { report, imageFacts } = mergeShardReports(
    shards,
    ['sovh', 'merge', ...process.argv.slice(3)].join(' '),
  );
  const out = await prepareWritableDir(
    options.reportDir ?? join(defaultReportsRoot, report.runId),
    'report directory',
  );
  const written = await writeRunReport(report, out, {
    inspectImages: () => Promise.resolve(imageFacts),
  });
  process.stdout.write(`${renderConsoleSummary(report)}\n`);
  const anchor =
    options.sarif === undefined ? undefined : findingsAnchor(await runSettings(options));
  for (const line of await publishFindings(report, sarifPath, anchor))
    process.stdout.write(`${line}\n`);
  const mutantTable = renderMutantTable(report.scenarios);
  if (mutantTable !== '') process.stdout.write(`${mutantTable}\n`);
  process.stdout.write(
    `merged ${String(shards.length)} shard(s) into ${out}: ${written.files.join(', ')}\n` +
      `evidence: ${written.bundle.archive}, signed by key ${written.bundle.keyFingerprint}; the shards' keys are in results.json (mergedFrom)\n`,
  );
  return exitCodeOfRun(report, options);
}
