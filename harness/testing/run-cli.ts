import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';

const cli = join(import.meta.dirname, '..', 'cli', 'sovh.mjs');

/** Runs the real `sovh` command in a child process, as a user would (in `cwd`, if given). */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  cwd?: string,
): ResultPromise<{ reject: false; all: true; env: Record<string, string>; cwd?: string }> {
  return execa('node', [cli, ...args], { reject: false, all: true, env, cwd });
}
