import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { SovhError } from '../util/sovh-error.ts';

/**
 * Where live worlds keep their state: one directory per world, holding `world.json` (who runs
 * it), `control.sock` (the supervisor's unix socket) and `supervisor.log`. Local to the machine and
 * the user; `SOVH_STATE_DIR` moves it (tests keep their worlds apart with it).
 */
export function stateRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.SOVH_STATE_DIR ?? join(tmpdir(), `sovh-worlds-${userInfo().uid}`);
}

export function worldDir(
  namespace: string,
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return join(stateRoot(env), namespace, name);
}

export const worldRecordSchema = z.object({
  format: z.literal('sovh-live-world/1'),
  name: z.string(),
  scenario: z.string(),
  mutant: z.string().optional(),
  state: z.enum(['starting', 'up', 'going-down']),
  pid: z.number().int(),
  sessionId: z.string().optional(),
  startedAt: z.string(),
  socket: z.string(),
  log: z.string(),
  speedup: z.number(),
  /** The seed of the world's draws (`sovh up --seed`); absent in records of older harnesses. */
  seed: z.number().int().optional(),
});
export type WorldRecord = z.infer<typeof worldRecordSchema>;

/** A world's name: it names a directory and appears in commands, so keep it plain. */
export function checkWorldName(name: string): string {
  if (!/^[a-z0-9][a-z0-9_.-]{0,40}$/.test(name)) {
    throw new SovhError(
      'BAD_WORLD_NAME',
      `world name "${name}" is not usable: use up to 41 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit (--name)`,
    );
  }
  return name;
}

export async function writeWorldRecord(dir: string, record: WorldRecord): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, 'world.json');
  await writeFile(`${path}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  // Rename, so a reader never sees half a file.
  const { rename } = await import('node:fs/promises');
  await rename(`${path}.tmp`, path);
}

export async function readWorldRecord(dir: string): Promise<WorldRecord | undefined> {
  const text = await readFile(join(dir, 'world.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const parsed = worldRecordSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : undefined;
}

/** Whether the process that wrote a record still runs (signal 0 checks without signalling). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Every world recorded in a namespace, with whether its supervisor still runs. */
export async function listWorldRecords(
  namespace: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ dir: string; record: WorldRecord; alive: boolean }[]> {
  const root = join(stateRoot(env), namespace);
  const names = await readdir(root).catch(() => [] as string[]);
  const found = await Promise.all(
    names.sort().map(async (name) => {
      const dir = join(root, name);
      const record = await readWorldRecord(dir);
      return record === undefined ? undefined : { dir, record, alive: isProcessAlive(record.pid) };
    }),
  );
  return found.filter((f) => f !== undefined);
}

export async function removeWorldDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
