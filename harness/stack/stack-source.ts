import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { SovhError } from '../util/sovh-error.ts';

/**
 * Where the stack under test comes from: the reference stack (images/host), a directory with a
 * Dockerfile (built by the harness), an image already in the engine, or an archive made by
 * `docker save` (loaded).
 */
export type StackSource =
  | { kind: 'reference' }
  | { kind: 'dockerfile'; dir: string }
  | { kind: 'image'; reference: string }
  | { kind: 'archive'; path: string };

/** The same, as a config file states it: a string (read as on the command line) or an object. */
export type StackSourceInput =
  string | { dockerfile: string } | { image: string } | { archive: string };

export const referenceStack: StackSource = { kind: 'reference' };

const fix =
  'give a directory with a Dockerfile, an image archive made by `docker save`, an image in the engine (`name:tag` or an image id), or `reference`';

function looksLikePath(text: string): boolean {
  return (
    text.startsWith('.') ||
    text.startsWith('/') ||
    text.startsWith('~') ||
    /\.(tar|tar\.gz|tgz)$/.test(text)
  );
}

function dockerfileDir(dir: string, given: string): StackSource {
  if (!existsSync(join(dir, 'Dockerfile'))) {
    throw new SovhError(
      'STACK_NO_DOCKERFILE',
      `stack ${given}: the directory ${dir} has no Dockerfile; ${fix}`,
      { details: { dir } },
    );
  }
  return { kind: 'dockerfile', dir };
}

function pathSource(path: string, given: string, expect?: 'dockerfile' | 'archive'): StackSource {
  if (!existsSync(path)) {
    throw new SovhError(
      'STACK_PATH_NOT_FOUND',
      `stack ${given}: no such file or directory (${path}); ${fix}`,
      { details: { path } },
    );
  }
  const isDir = statSync(path).isDirectory();
  if (expect === 'dockerfile' && !isDir)
    throw new SovhError('STACK_NOT_A_DIRECTORY', `stack ${given}: ${path} is not a directory`);
  if (expect === 'archive' && isDir)
    throw new SovhError('STACK_NOT_AN_ARCHIVE', `stack ${given}: ${path} is a directory`);
  return isDir ? dockerfileDir(path, given) : { kind: 'archive', path };
}

/**
 * Reads a stack source. A string is a path when it names something on disk or looks like one
 * (`./`, `/`, `~`, `.tar`), `reference` is the reference stack, and anything else an image name
 * or id. Relative paths are taken from `baseDir` (the working directory, or the config file's).
 */
export function parseStackSource(input: StackSourceInput, baseDir: string): StackSource {
  const at = (path: string) =>
    resolve(baseDir, path.startsWith('~/') ? join(process.env.HOME ?? '~', path.slice(2)) : path);
  if (typeof input !== 'string') {
    if ('dockerfile' in input)
      return pathSource(at(input.dockerfile), input.dockerfile, 'dockerfile');
    if ('archive' in input) return pathSource(at(input.archive), input.archive, 'archive');
    return { kind: 'image', reference: input.image };
  }
  const text = input.trim();
  if (text === '') throw new SovhError('STACK_EMPTY', `the stack source is empty; ${fix}`);
  if (text === 'reference') return referenceStack;
  const path = at(text);
  if (existsSync(path) || looksLikePath(text) || isAbsolute(text)) return pathSource(path, text);
  return { kind: 'image', reference: text };
}

/** One line naming a stack source, for logs and reports. */
export function describeStackSource(source: StackSource): string {
  switch (source.kind) {
    case 'reference':
      return 'the reference stack (images/host)';
    case 'dockerfile':
      return `the Dockerfile in ${source.dir}`;
    case 'image':
      return `the image ${source.reference}`;
    case 'archive':
      return `the image archive ${source.path}`;
  }
}
