import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import lockfile from 'proper-lockfile';
import type { Logger } from '../util/log.ts';
import { SovhError } from '../util/sovh-error.ts';
import { debianMirror } from './apt-sources.ts';
import { buildBaseImage } from './base-image.ts';
import { diskFullHint } from './disk-full.ts';
import { runDockerBuild } from './docker-build.ts';
import {
  imageTag,
  recipeHash,
  type DockerfileImageRecipe,
  type ImageRecipe,
} from './image-recipe.ts';

export interface BuiltImage {
  name: string;
  tag: string;
  /** True when the image was built now, false when a build of the same recipe was reused. */
  built: boolean;
  durationMs: number;
}

const lockDir = join(tmpdir(), 'sovh-image-locks');

/** Serialises builds of one image across processes (CLI runs and test workers share an engine). */
async function withImageLock<T>(name: string, action: () => Promise<T>): Promise<T> {
  mkdirSync(lockDir, { recursive: true });
  const lockTarget = join(lockDir, `${name}.lock`);
  writeFileSync(lockTarget, '', { flag: 'a' });
  const release = await lockfile.lock(lockTarget, {
    retries: { retries: 600, factor: 1, minTimeout: 1_000, maxTimeout: 1_000 },
    stale: 30_000,
  });
  try {
    return await action();
  } finally {
    await release();
  }
}

async function imageExists(docker: Docker, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes sure the image of a recipe (and of its parents) exists, building only what is missing.
 * Images are tagged by a hash of their recipe, so a changed recipe gets a new image.
 */
export class ImageBuilder {
  private readonly inFlight = new Map<string, Promise<BuiltImage>>();

  constructor(
    readonly docker: Docker,
    private readonly log: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  private mirror: Promise<string> | undefined;

  debianMirror(): Promise<string> {
    this.mirror ??= debianMirror(this.env);
    return this.mirror;
  }

  ensure(recipe: ImageRecipe): Promise<BuiltImage> {
    // Recipes are named uniquely; an image the harness did not build is known by its id.
    const key = recipe.kind === 'existing' ? recipe.id : recipe.name;
    let pending = this.inFlight.get(key);
    if (pending === undefined) {
      pending = this.ensureUncached(recipe);
      this.inFlight.set(key, pending);
      pending.catch(() => this.inFlight.delete(key));
    }
    return pending;
  }

  /** The tag a recipe has, without building it. */
  async tagOf(recipe: ImageRecipe): Promise<string> {
    return imageTag(recipe, await recipeHash(recipe, await this.debianMirror()));
  }

  /** Builds (or reuses) the images a Dockerfile takes as build arguments; their tags by argument. */
  private async ensureBuildArgImages(
    recipe: DockerfileImageRecipe,
  ): Promise<Record<string, string>> {
    const entries = Object.entries(recipe.buildArgImages ?? {});
    const built = await Promise.all(entries.map(([, image]) => this.ensure(image)));
    return Object.fromEntries(entries.map(([arg], i) => [arg, built[i]?.tag ?? '']));
  }

  private async ensureUncached(recipe: ImageRecipe): Promise<BuiltImage> {
    const startedAt = Date.now();
    if (recipe.kind === 'existing') {
      if (!(await imageExists(this.docker, recipe.id)))
        throw new SovhError(
          'IMAGE_MISSING',
          `image ${recipe.name} (${recipe.id}) is no longer in the engine; load or build it again`,
        );
      return { name: recipe.name, tag: recipe.id, built: false, durationMs: 0 };
    }
    const mirror = await this.debianMirror();
    const parentTag =
      recipe.kind === 'dockerfile' ? (await this.ensure(recipe.parent)).tag : undefined;
    const argImages =
      recipe.kind === 'dockerfile' ? await this.ensureBuildArgImages(recipe) : undefined;
    const tag = imageTag(recipe, await recipeHash(recipe, mirror));
    if (await imageExists(this.docker, tag)) {
      return { name: recipe.name, tag, built: false, durationMs: Date.now() - startedAt };
    }
    return withImageLock(recipe.name, async () => {
      // Another process may have built it while this one waited for the lock.
      if (await imageExists(this.docker, tag)) {
        return { name: recipe.name, tag, built: false, durationMs: Date.now() - startedAt };
      }
      this.log.info(`building image ${tag}`);
      try {
        if (recipe.kind === 'base') {
          await buildBaseImage(this.docker, recipe, tag, mirror, this.log);
        } else {
          await runDockerBuild(this.docker, recipe, tag, parentTag ?? '', this.log, {
            buildArgs: argImages,
            noCache: recipe.noBuildCache === true,
          });
        }
      } catch (error) {
        if (error instanceof SovhError) throw error;
        // The engine can refuse a build before it starts (its answer to the build context).
        const message = (error as Error).message;
        const diskFull = diskFullHint([message]);
        throw new SovhError(
          'IMAGE_BUILD_FAILED',
          `building image ${recipe.name} failed: ${message}` +
            (diskFull === undefined ? '' : `\n${diskFull}`),
          { cause: error },
        );
      }
      const durationMs = Date.now() - startedAt;
      this.log.info(`built image ${tag} in ${(durationMs / 1000).toFixed(1)} s`);
      return { name: recipe.name, tag, built: true, durationMs };
    });
  }
}
