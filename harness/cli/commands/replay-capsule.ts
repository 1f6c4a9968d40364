import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { unpackArchive } from '../../capsule/capsule-archive.ts';
import {
  describeImageDifferences,
  imageDifferences,
  readCapsuleManifest,
  type CapsuleManifest,
  type ImageDifference,
} from '../../capsule/capsule-manifest.ts';
import type { RunReport } from '../../report/run-report.ts';
import type { RunEnvironment } from '../../scenario/environment.ts';
import { prepareWorldImages } from '../../scenario/scenario-images.ts';
import { findMutant, scenarioTopology } from '../../scenario/scenario-runner.ts';
import type { Logger } from '../../util/log.ts';
import { describeError, SovhError } from '../../util/sovh-error.ts';
import { harnessVersion } from '../harness-version.ts';
import { readCapsuleJson } from './capsule-command.ts';
import { replayCommand } from './replay-command.ts';
import type { PlannedRun } from './run-command.ts';

/** A capsule is a file (FILE.tgz); a run is a folder. */
export async function isCapsule(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() === true && /\.(tgz|tar\.gz)$/.test(path);
}

/**
 * `sovh replay CAPSULE.tgz`: unpacks the capsule (see `withOpenCapsule`), builds the recorded runs' images from their recipes here and refuses (naming
 * each) when one is not the recorded image unless `--rebuild-ok`, then replays the run exactly as
 * `sovh replay RUN-DIR` does, and removes the folder.
 */
export async function replayCapsule(
  capsule: string,
  options: { reportDir?: string; rebuildOk?: boolean },
  log: Logger,
): Promise<number> {
  return withOpenCapsule(capsule, log, async ({ manifest, runDir }) =>
    replayCommand(runDir, options, log, {
      file: resolve(capsule),
      checkImages: (environment, planned) =>
        checkImages(environment, planned, manifest, options.rebuildOk === true, log),
    }),
  );
}

/** A capsule unpacked: its manifest, and its run folder with results.json relocated to it. */
export interface OpenCapsule {
  dir: string;
  manifest: CapsuleManifest;
  runDir: string;
  results: RunReport;
}

/**
 * Unpacks a capsule into a temporary folder, refuses one made by another version, points the
 * recorded options at the capsule's copies (see `relocated`), calls `use`, and removes the
 * folder when `use` is done, whatever its outcome.
 */
export async function withOpenCapsule<T>(
  capsule: string,
  log: Logger,
  use: (open: OpenCapsule) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'sovh-capsule-'));
  try {
    try {
      await unpackArchive(capsule, dir);
    } catch (error) {
      throw new SovhError(
        'CAPSULE_INVALID',
        `${capsule} is not a capsule (a gzipped tar made by \`sovh capsule\`): ${describeError(error)}`,
        { cause: error },
      );
    }
    const manifest = readCapsuleManifest(
      await readCapsuleJson(dir, 'manifest.json', capsule),
      capsule,
      harnessVersion(),
    );
    const runDir = join(dir, 'run');
    const results = relocated(
      (await readCapsuleJson(runDir, 'results.json', capsule)) as RunReport,
      manifest,
      dir,
    );
    await writeFile(join(runDir, 'results.json'), JSON.stringify(results));
    log.info(
      `capsule ${capsule}: run ${manifest.runId} made by sovh ${manifest.sovh.version} at ${manifest.createdAt}`,
    );
    return await use({ dir, manifest, runDir, results });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The recorded options, pointed at the capsule's copies: its incident files always; its stack
 * context and working directory when the recorded ones are not on this machine.
 */
export function relocated(results: RunReport, manifest: CapsuleManifest, dir: string): RunReport {
  const options = results.options;
  if (options === undefined) return results;
  const cwd = existsSync(options.cwd) ? options.cwd : process.cwd();
  const stackGone =
    options.stack !== undefined &&
    manifest.stackContext !== undefined &&
    !existsSync(resolve(options.cwd, options.stack));
  return {
    ...results,
    options: {
      ...options,
      cwd,
      ...(stackGone && manifest.stackContext !== undefined
        ? { stack: join(dir, manifest.stackContext) }
        : {}),
      ...(options.incidents === undefined
        ? {}
        : {
            incidents: options.incidents.map((recorded) => {
              const carried = manifest.incidents.find((i) => i.recorded === recorded);
              return carried === undefined ? recorded : join(dir, carried.file);
            }),
          }),
    },
  };
}

/** Builds each recorded run's images here (as the replay would) and compares them. */
export async function checkImages(
  environment: RunEnvironment,
  planned: readonly PlannedRun[],
  manifest: CapsuleManifest,
  rebuildOk: boolean,
  log: Logger,
): Promise<void> {
  const differences: ImageDifference[] = [];
  for (const [i, run] of planned.entries()) {
    const recorded = manifest.runs[i];
    if (recorded === undefined) continue;
    const mutant = findMutant(run.scenario, run.mutant);
    const images = await prepareWorldImages(
      environment.images,
      scenarioTopology(run.scenario, mutant),
      mutant,
      environment.stack,
    );
    const tags: Record<string, string> = {
      pod: images.pod,
      tpm: images.tpm,
      observer: images.observer,
      host: images.host,
      ...images.sims,
    };
    const local = new Map<string, { tag: string; id?: string }>();
    for (const [role, tag] of Object.entries(tags)) {
      const id = await environment.engine.docker
        .getImage(tag)
        .inspect()
        .then((info) => info.Id)
        .catch(() => undefined);
      local.set(role, { tag, ...(id === undefined ? {} : { id }) });
    }
    differences.push(...imageDifferences(recorded, local));
  }
  if (differences.length === 0) {
    log.info(`every image is the recorded one (recipe hash and image id)`);
    return;
  }
  const list = describeImageDifferences(differences);
  if (!rebuildOk)
    throw new SovhError(
      'CAPSULE_IMAGES_DIFFER',
      `${String(differences.length)} image(s) built here are not the ones the capsule recorded, so verdicts could differ because of them:\n${list}\n` +
        'Replay anyway with the images built here: add --rebuild-ok',
      { details: { images: differences } },
    );
  log.warn(`--rebuild-ok: replaying with images that are not the recorded ones:\n${list}`);
}
