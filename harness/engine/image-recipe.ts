import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { dockerIgnore } from './docker-ignore.ts';

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
  /** Further images the Dockerfile names through build arguments (`FROM ${NAME}`), by argument. */
  buildArgImages?: Record<string, ImageRecipe>;
  /** What decides the content besides the context, e.g. the ids of the images `FROM` names. */
  hashInputs?: Record<string, string>;
  /**
   * Build without the engine's layer cache. The classic builder gave a patched stack image of a
   * new parent the layers of one built over an earlier parent (a file copied from a stage whose
   * FROM is a build argument), so the mutant kept the stack it was first built on.
   */
  noBuildCache?: boolean;
}

/** An image the harness did not build: one already in the engine, pinned by its id. */
export interface ExistingImageRecipe {
  kind: 'existing';
  /** What logs and errors call it: the name it was given by, or the archive it came from. */
  name: string;
  /** The engine's image id (`sha256:...`): containers start from exactly this image. */
  id: string;
}

export type ImageRecipe = BaseImageRecipe | DockerfileImageRecipe | ExistingImageRecipe;

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

/**
 * The files of a build context in a stable order (the order decides the hash), less what its
 * `.dockerignore` leaves out: a stack repository's node_modules and reports are not its image.
 */
export async function contextFiles(recipe: DockerfileImageRecipe): Promise<ContextFile[]> {
  const files = new Map<string, ContextFile>();
  const ignoreFile = join(recipe.contextDir, '.dockerignore');
  const ignored = existsSync(ignoreFile)
    ? dockerIgnore(await readFile(ignoreFile, 'utf8'))
    : () => false;
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (ignored(relative(recipe.contextDir, full).split(sep).join('/'))) continue;
      // Bytecode caches appear wherever the stack's Python ran on this machine; never context.
      if (entry.name === '__pycache__' || entry.name.endsWith('.pyc')) continue;
      // A stack's own repository may be the context: its history is not.
      if (entry.name === '.git') continue;
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

const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

/** A short hash of everything that decides an image's content, used as its tag. */
export async function recipeHash(recipe: ImageRecipe, mirror: string): Promise<string> {
  const hash = createHash('sha256');
  if (recipe.kind === 'base') {
    hash.update(JSON.stringify({ ...recipe, mirror }));
  } else if (recipe.kind === 'existing') {
    hash.update(recipe.id);
  } else {
    hash.update(await recipeHash(recipe.parent, mirror));
    for (const [arg, image] of Object.entries(recipe.buildArgImages ?? {}).sort(byKey))
      hash.update(`${arg}\0${await recipeHash(image, mirror)}\0`);
    for (const [key, value] of Object.entries(recipe.hashInputs ?? {}).sort(byKey))
      hash.update(`${key}\0${value}\0`);
    // A new tag for an image built without the cache: one built with it may be stale.
    if (recipe.noBuildCache === true) hash.update('no-build-cache\0');
    for (const file of await contextFiles(recipe)) {
      hash.update(`${file.path}\0${file.mode}\0`);
      hash.update(file.content);
      hash.update('\0');
    }
  }
  return hash.digest('hex').slice(0, 16);
}

export function imageTag(recipe: ImageRecipe, hash: string): string {
  if (recipe.kind === 'existing') return recipe.id;
  return `sovh/${recipe.name}:${hash}`;
}
