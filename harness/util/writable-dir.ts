import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, parse, resolve } from 'node:path';
import { raceDeadline } from './deadline.ts';
import { describeError, SovhError } from './sovh-error.ts';

/** How long making and probing a directory may take before it is reported as hanging. */
export const writableDirBoundMs = 10_000;

function codeOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function badDir(what: string, path: string, problem: string, fix: string, cause?: unknown): never {
  throw new SovhError('BAD_DIRECTORY', `${what} ${path}: ${problem}. ${fix}`, {
    cause,
    details: { path },
  });
}

/** The directories from the root down to `path`, e.g. /a, /a/b, /a/b/c. */
function chainOf(path: string): string[] {
  const chain: string[] = [];
  let current = path;
  const { root } = parse(path);
  while (current !== root) {
    chain.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return chain;
}

async function makeOne(what: string, dir: string): Promise<void> {
  const fix = 'Give a directory that you can write, e.g. --report-dir ./reports/mine';
  const info = await stat(dir).catch((error: unknown) => {
    if (codeOf(error) === 'ENOENT') return undefined;
    return badDir(what, dir, `cannot be looked at (${describeError(error)})`, fix, error);
  });
  if (info?.isDirectory() === true) return;
  if (info !== undefined) badDir(what, dir, 'a file of that name is in the way', fix);
  // One level at a time: Node's recursive mkdir loops forever on filesystems that answer
  // ENOENT for a directory that cannot be made (procfs, sysfs).
  await mkdir(dir).catch((error: unknown) => {
    if (codeOf(error) === 'EEXIST') return;
    badDir(what, dir, `cannot be created (${describeError(error)})`, fix, error);
  });
  const made = await stat(dir).catch(() => undefined);
  if (made?.isDirectory() !== true)
    badDir(what, dir, 'the filesystem accepted it but there is no directory there', fix);
}

/**
 * Makes `path` (and its parents) and proves it writable by writing and removing a probe file,
 * within a bound; every failure names the path, what failed and the fix. Returns the absolute
 * path. Runs before any slow work, so a bad report directory costs seconds, not a whole run.
 */
export async function prepareWritableDir(
  path: string,
  what: string,
  boundMs = writableDirBoundMs,
): Promise<string> {
  const absolute = resolve(path);
  const work = async () => {
    for (const dir of chainOf(absolute)) await makeOne(what, dir);
    const probe = join(absolute, `.sovh-write-probe-${String(process.pid)}`);
    await writeFile(probe, 'probe\n').catch((error: unknown) =>
      badDir(
        what,
        absolute,
        `cannot be written (${describeError(error)})`,
        'Give a directory on a writable filesystem with free space',
        error,
      ),
    );
    await rm(probe, { force: true });
    return absolute;
  };
  return raceDeadline(
    work(),
    boundMs,
    () =>
      new SovhError(
        'BAD_DIRECTORY',
        `${what} ${absolute}: the filesystem did not answer within ${String(boundMs)}ms. Give a directory on a local, writable filesystem`,
        { details: { path: absolute } },
      ),
  );
}
