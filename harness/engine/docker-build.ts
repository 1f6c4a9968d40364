import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { diskFullHint } from './disk-full.ts';
import type { Logger } from '../util/log.ts';
import { SovhError } from '../util/sovh-error.ts';
import { timedCall } from '../util/time-profile.ts';
import { packFiles } from '../util/tar-archive.ts';
import { contextFiles, type DockerfileImageRecipe } from './image-recipe.ts';

interface BuildMessage {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

const tailLines = 30;

/** Runs `docker build` through the engine API, streaming "Step n/m" lines as progress. */
export function runDockerBuild(
  docker: Docker,
  recipe: DockerfileImageRecipe,
  tag: string,
  parentTag: string,
  log: Logger,
  options: { noCache?: boolean; buildArgs?: Record<string, string> } = {},
): Promise<void> {
  return timedCall('image build', () => build(docker, recipe, tag, parentTag, log, options));
}

async function build(
  docker: Docker,
  recipe: DockerfileImageRecipe,
  tag: string,
  parentTag: string,
  log: Logger,
  options: { noCache?: boolean; buildArgs?: Record<string, string> },
): Promise<void> {
  const files = await contextFiles(recipe);
  const context = packFiles(files.map((f) => ({ path: f.path, content: f.content, mode: f.mode })));
  const stream = await docker.buildImage(context, {
    t: tag,
    buildargs: { ...options.buildArgs, PARENT_IMAGE: parentTag },
    labels: { 'dev.sovh.image': recipe.name },
    rm: true,
    forcerm: true,
    nocache: options.noCache === true,
  });
  const lines: string[] = [];
  const buildError = await new Promise<string | undefined>((resolve) => {
    let error: string | undefined;
    docker.modem.followProgress(
      stream,
      (streamError: Error | null) => {
        resolve(streamError?.message ?? error);
      },
      (message: BuildMessage) => {
        if (message.error !== undefined) error = message.errorDetail?.message ?? message.error;
        const text = (message.stream ?? message.status ?? message.error ?? '').trimEnd();
        for (const line of text.split('\n').filter(Boolean)) {
          lines.push(line);
          if (/^Step \d+\/\d+ :/.test(line)) log.info(`  ${recipe.name}: ${line.slice(0, 110)}`);
          else log.detail(`  ${recipe.name}: ${line}`);
        }
      },
    );
  });
  if (buildError !== undefined) {
    const logPath = join(tmpdir(), `sovh-build-${recipe.name}.log`);
    writeFileSync(logPath, lines.join('\n'));
    const diskFull = diskFullHint([buildError, ...lines]);
    throw new SovhError(
      'IMAGE_BUILD_FAILED',
      `building image ${recipe.name} (${recipe.contextDir}) failed: ${buildError}\n` +
        (diskFull === undefined ? '' : `${diskFull}\n`) +
        `last lines of the build (full log: ${logPath}):\n` +
        lines
          .slice(-tailLines)
          .map((l) => `  | ${l}`)
          .join('\n'),
      { details: { image: recipe.name, logPath } },
    );
  }
}
