import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { composeFile } from '../../capsule/compose-file.ts';
import { packFolder } from '../../capsule/capsule-archive.ts';
import { carryIncidentTraces, type CarriedTrace } from '../../capsule/carried-traces.ts';
import { capsuleManifest } from '../../capsule/capsule-manifest.ts';
import { contextFiles, type DockerfileImageRecipe } from '../../engine/image-recipe.ts';
import { readResultsFile } from '../../report/results-file.ts';
import { runLabel } from '../../report/scenario-run-label.ts';
import type { Logger } from '../../util/log.ts';
import { describeError, SovhError } from '../../util/sovh-error.ts';
import { harnessVersion } from '../harness-version.ts';

/** The run's files a capsule carries (under run/); results.json must be there. */
const runFiles = ['results.json', 'junit.xml', 'report.html', 'evidence.tar.gz'];

/**
 * `sovh capsule RUN-DIR -o FILE.tgz`: packs a recorded run for another machine: a manifest (the
 * capsule format, the sovh version, the run's id, seed, scenario runs, mutants and stack, and
 * each image with its recipe hash and engine id), the run's results, junit and signed evidence
 * bundle, the incident files it loaded with the recorded traces they play, a Dockerfile stack's build context, and a compose file of
 * each world's starting state.
 */
export async function capsuleCommand(
  runDir: string,
  options: { output: string },
  log: Logger,
  inspectImageId: (tag: string) => Promise<string | undefined>,
): Promise<number> {
  const info = await stat(runDir).catch(() => undefined);
  if (info === undefined || !info.isDirectory() || !existsSync(join(runDir, 'results.json')))
    throw new SovhError(
      'CAPSULE_NOT_A_RUN',
      `${runDir} is not a run's report folder (a folder with results.json, as \`sovh run\` writes to reports/<run-id>/); give one, e.g. \`npx sovh capsule reports/<run-id> -o incident.tgz\``,
    );
  if (!options.output.endsWith('.tgz') && !options.output.endsWith('.tar.gz'))
    throw new SovhError(
      'CAPSULE_OUTPUT',
      `-o ${options.output}: a capsule is a gzipped tar; name it FILE.tgz or FILE.tar.gz`,
    );
  const { report } = await readResultsFile(runDir);
  const staging = await mkdtemp(join(tmpdir(), 'sovh-capsule-'));
  try {
    await mkdir(join(staging, 'run'));
    const files: string[] = [];
    for (const name of runFiles) {
      if (!existsSync(join(runDir, name))) continue;
      await copyFile(join(runDir, name), join(staging, 'run', name));
      files.push(`run/${name}`);
    }
    const incidents: { recorded: string; file: string }[] = [];
    const traces: CarriedTrace[] = [];
    for (const [i, recorded] of (report.options?.incidents ?? []).entries()) {
      const file = `incidents/${String(i + 1)}-${basename(recorded)}`;
      const carried = carryIncidentTraces(await readRecorded(recorded, 'incident file'), recorded, {
        folder: 'incidents',
        prefix: `${String(i + 1)}-`,
      });
      await mkdir(join(staging, 'incidents', 'traces'), { recursive: true });
      await writeFile(join(staging, file), carried.text);
      for (const trace of carried.traces) {
        if (traces.some((t) => t.file === trace.file)) continue;
        await writeFile(join(staging, trace.file), await readRecorded(trace.recorded, 'trace'));
        traces.push(trace);
      }
      incidents.push({ recorded, file });
    }
    const stackContext = await packStackContext(report.options, report.stack?.kind, staging, log);
    const composeFiles = await Promise.all(
      report.scenarios.map(async (result, i) => {
        if (result.world?.containers === undefined || result.world.containers.length === 0)
          return undefined;
        const name = i === 0 ? 'compose.yaml' : `compose-${String(i + 1)}.yaml`;
        await writeFile(
          join(staging, name),
          composeFile(result.world, {
            run: runLabel(result),
            runId: report.runId,
            ...(result.seed === undefined ? {} : { seed: result.seed }),
          }),
        );
        return name;
      }),
    );
    const tags = [...new Set(report.scenarios.flatMap((s) => Object.values(s.images)))];
    const imageIds = new Map<string, string>();
    for (const tag of tags) {
      const id = await inspectImageId(tag);
      if (id !== undefined) imageIds.set(tag, id);
      else log.warn(`image ${tag} is not in the engine: the capsule records its recipe hash only`);
    }
    const manifest = capsuleManifest(report, {
      version: harnessVersion().version,
      createdAt: new Date(),
      source: resolve(runDir),
      imageIds,
      files,
      incidents,
      traces,
      composeFiles,
      ...(stackContext === undefined ? {} : { stackContext }),
    });
    await writeFile(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await mkdir(dirname(resolve(options.output)), { recursive: true });
    await packFolder(staging, options.output);
    const without = report.scenarios.filter((_, i) => composeFiles[i] === undefined);
    process.stdout.write(
      `capsule ${options.output}: run ${report.runId}${report.seed === undefined ? '' : `, seed ${String(report.seed)}`}, ${String(report.scenarios.length)} scenario run(s), ${String(tags.length)} image(s), ${files.length + incidents.length + traces.length} file(s)` +
        `${composeFiles.some((f) => f !== undefined) ? `, compose file(s) ${composeFiles.filter((f) => f !== undefined).join(', ')}` : ''}\n`,
    );
    if (without.length > 0)
      process.stdout.write(
        `no compose file for ${without.map(runLabel).join(', ')}: the run recorded no containers of its world (results of an older sovh, or the world did not come up)\n`,
      );
    process.stdout.write(`replay it: npx sovh replay ${options.output}\n`);
    return 0;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** A file the run read (an incident file or a trace it plays); a capsule without it cannot replay. */
async function readRecorded(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new SovhError(
      'CAPSULE_INCIDENT_MISSING',
      `the run loaded the ${what} ${path}, which cannot be read now (${describeError(error)}); a capsule without it could not be replayed. Put it back at that path and pack again`,
      { cause: error },
    );
  }
}

/** A Dockerfile stack's build context (what its image hash is made of), under stack/. */
async function packStackContext(
  options: { cwd: string; stack?: string } | undefined,
  kind: string | undefined,
  staging: string,
  log: Logger,
): Promise<string | undefined> {
  if (kind !== 'dockerfile' || options?.stack === undefined) return undefined;
  const dir = resolve(options.cwd, options.stack);
  if (!existsSync(join(dir, 'Dockerfile'))) {
    log.warn(`the stack's build context ${dir} is gone: the capsule does not carry it`);
    return undefined;
  }
  const recipe = { kind: 'dockerfile', name: 'stack', contextDir: dir } as DockerfileImageRecipe;
  for (const file of await contextFiles(recipe)) {
    const target = join(staging, 'stack', file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content, { mode: file.mode });
  }
  return 'stack';
}

/** Reads a file of an unpacked capsule as JSON, naming the capsule when it cannot. */
export async function readCapsuleJson(
  dir: string,
  name: string,
  capsule: string,
): Promise<unknown> {
  try {
    return JSON.parse(await readFile(join(dir, name), 'utf8')) as unknown;
  } catch (error) {
    throw new SovhError(
      'CAPSULE_INVALID',
      `${capsule} has no readable ${name} (${describeError(error)}): was it made by \`sovh capsule\`?`,
      { cause: error },
    );
  }
}

/** Asks the engine (when one answers) for an image's id; undefined when there is no engine or image. */
export async function engineImageId(): Promise<(tag: string) => Promise<string | undefined>> {
  const { locateEngine } = await import('../../engine/engine-locator.ts');
  const engine = await locateEngine().catch(() => undefined);
  if (engine === undefined) return () => Promise.resolve(undefined);
  return (tag) =>
    engine.docker
      .getImage(tag)
      .inspect()
      .then((info) => info.Id)
      .catch(() => undefined);
}
