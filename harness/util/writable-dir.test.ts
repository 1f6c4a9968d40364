import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareWritableDir } from './writable-dir.ts';

describe('prepareWritableDir', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'sovh-dir-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('makes the directory and its parents and leaves no probe file behind', async () => {
    const dir = join(work, 'a', 'b', 'c');
    expect(await prepareWritableDir(dir, 'report directory')).toBe(dir);
    expect(await readdir(dir)).toEqual([]);
  });

  it('names a regular file in the way of the path', async () => {
    const file = join(work, 'plain-file');
    await writeFile(file, 'x');
    await expect(prepareWritableDir(join(file, 'sub'), 'report directory')).rejects.toThrow(
      `report directory ${file}: a file of that name is in the way`,
    );
  });

  it('fails at once under /proc instead of looping', async () => {
    await expect(prepareWritableDir('/proc/nope', 'report directory')).rejects.toMatchObject({
      code: 'BAD_DIRECTORY',
      message: expect.stringMatching(/^report directory \/proc\/nope: cannot be created/) as string,
    });
  });
});
