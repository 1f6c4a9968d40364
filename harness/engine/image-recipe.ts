import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** The debootstrapped Debian image every other image is built on. */
export interface BaseImageRecipe {
  kind: 'base';
  name: 'base';
  suite: string;
  variant: string;
  /** Bumped when the way the base is made changes, so old bases are not reused. */
  revision: number;
}

/** An image built with a Dockerfile whose FROM is `${PARENT_IMAGE}`. */
export interface DockerfileImageRecipe {
  kind: 'dockerfile';
  /** The image is tagged sovh/<name>:<hash of the recipe>. */
  name: string;
  /** The build context: a Dockerfile and the files it copies. */
  contextDir: string;
  parent: ImageRecipe;
  /** Files added to (or replacing those of) the context, e.g. a generated Dockerfile. */
  extraFiles?: Record<string, string | Buffer>;
}

export type ImageRecipe = BaseImageRecipe | DockerfileImageRecipe;

export const baseImageRecipe: BaseImageRecipe = {
  kind: 'base',
  name: 'base',
  suite: 'bookworm',
  variant: 'minbase',
  revision: 1,
};

export interface ContextFile {
  path: string;
  content: Buffer;
  mode: number;
}

/** The files of a build context in a stable order (the order decides the hash). */
export async function contextFiles(recipe: DockerfileImageRecipe): Promise<ContextFile[]> {
  const files = new Map<string, ContextFile>();
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const full = join(dir, entry.name);
      // Bytecode caches appear wherever the stack's Python ran on this machine; never context.
      if (entry.name === '__pycache__' || entry.name.endsWith('.pyc')) continue;
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && !entry.name.endsWith('.test.ts')) {
        const info = await stat(full);
        files.set(relative(recipe.contextDir, full), {
          path: relative(recipe.contextDir, full),
          content: await readFile(full),
          // Only the executable bit matters to the build; umask differences must not change the hash.
          mode: info.mode & 0o111 ? 0o755 : 0o644,
        });
      }
    }
  };
  await walk(recipe.contextDir);
  for (const [path, content] of Object.entries(recipe.extraFiles ?? {})) {
    files.set(path, { path, content: Buffer.from(content), mode: 0o644 });
  }
  return [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A short hash of everything that decides an image's content, used as its tag. */
export async function recipeHash(recipe: ImageRecipe, mirror: string): Promise<string> {
  const hash = createHash('sha256');
  if (recipe.kind === 'base') {
    hash.update(JSON.stringify({ ...recipe, mirror }));
  } else {
    hash.update(await recipeHash(recipe.parent, mirror));
    for (const file of await contextFiles(recipe)) {
      hash.update(`${file.path}\0${file.mode}\0`);
      hash.update(file.content);
      hash.update('\0');
    }
  }
  return hash.digest('hex').slice(0, 16);
}

export function imageTag(recipe: ImageRecipe, hash: string): string {
  return `sovh/${recipe.name}:${hash}`;
}
