import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isSovhError } from '../util/sovh-error.ts';
import { describeStackSource, parseStackSource } from './stack-source.ts';

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    return isSovhError(error) ? error.code : String(error);
  }
}

describe('stack sources', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sovh-stack-source-'));
    await mkdir(join(dir, 'stack'));
    await writeFile(join(dir, 'stack', 'Dockerfile'), 'FROM scratch\n');
    await mkdir(join(dir, 'empty'));
    await writeFile(join(dir, 'stack.tar'), 'not really an archive');
  });

  it('read a directory with a Dockerfile, an archive file, an image name and `reference`', () => {
    expect(parseStackSource('./stack', dir)).toEqual({
      kind: 'dockerfile',
      dir: join(dir, 'stack'),
    });
    expect(parseStackSource('stack', dir)).toEqual({ kind: 'dockerfile', dir: join(dir, 'stack') });
    expect(parseStackSource('stack.tar', dir)).toEqual({
      kind: 'archive',
      path: join(dir, 'stack.tar'),
    });
    expect(parseStackSource('acme/residency:1.4', dir)).toEqual({
      kind: 'image',
      reference: 'acme/residency:1.4',
    });
    expect(parseStackSource('sha256:0123abcd', dir)).toEqual({
      kind: 'image',
      reference: 'sha256:0123abcd',
    });
    expect(parseStackSource('reference', dir)).toEqual({ kind: 'reference' });
  });

  it('read the config file forms, paths taken from the given directory', () => {
    expect(parseStackSource({ dockerfile: 'stack' }, dir)).toEqual({
      kind: 'dockerfile',
      dir: join(dir, 'stack'),
    });
    expect(parseStackSource({ archive: './stack.tar' }, dir)).toEqual({
      kind: 'archive',
      path: join(dir, 'stack.tar'),
    });
    expect(parseStackSource({ image: 'stack' }, dir)).toEqual({
      kind: 'image',
      reference: 'stack',
    });
  });

  it('name a path that does not exist, with the fix', () => {
    expect(codeOf(() => parseStackSource('./no-such-stack', dir))).toBe('STACK_PATH_NOT_FOUND');
    expect(codeOf(() => parseStackSource('/no/such/stack.tar', dir))).toBe('STACK_PATH_NOT_FOUND');
    expect(codeOf(() => parseStackSource({ dockerfile: 'nope' }, dir))).toBe(
      'STACK_PATH_NOT_FOUND',
    );
    expect(() => parseStackSource('./no-such-stack', dir)).toThrow(
      /no such file or directory .*give a directory with a Dockerfile, an image archive made by `docker save`, an image in the engine/,
    );
  });

  it('name a directory without a Dockerfile and a kind that does not fit', () => {
    expect(codeOf(() => parseStackSource('./empty', dir))).toBe('STACK_NO_DOCKERFILE');
    expect(codeOf(() => parseStackSource({ archive: 'stack' }, dir))).toBe('STACK_NOT_AN_ARCHIVE');
    expect(codeOf(() => parseStackSource({ dockerfile: 'stack.tar' }, dir))).toBe(
      'STACK_NOT_A_DIRECTORY',
    );
    expect(codeOf(() => parseStackSource('  ', dir))).toBe('STACK_EMPTY');
  });

  it('describe themselves in one line', () => {
    expect(describeStackSource({ kind: 'reference' })).toBe('the reference stack (images/host)');
    expect(describeStackSource({ kind: 'image', reference: 'a:b' })).toBe('the image a:b');
  });
});
