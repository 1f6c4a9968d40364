import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkWorldName,
  listWorldRecords,
  readWorldRecord,
  worldDir,
  writeWorldRecord,
  type WorldRecord,
} from './world-dirs.ts';

function record(name: string, pid: number): WorldRecord {
  return {
    format: 'sovh-live-world/1',
    name,
    scenario: 'power-failure-key-wipe',
    state: 'up',
    pid,
    startedAt: new Date(0).toISOString(),
    socket: '/nowhere/control.sock',
    log: '/nowhere/supervisor.log',
    speedup: 1,
  };
}

describe('live world records', () => {
  it('lists the worlds of a namespace, telling live supervisors from gone ones', async () => {
    const env = { SOVH_STATE_DIR: await mkdtemp(join(tmpdir(), 'sovh-state-')) };
    await writeWorldRecord(worldDir('ns', 'alive', env), record('alive', process.pid));
    // A pid above the kernel's maximum cannot belong to a running process.
    await writeWorldRecord(worldDir('ns', 'gone', env), record('gone', 2 ** 22 + 1));
    await writeWorldRecord(worldDir('other', 'elsewhere', env), record('elsewhere', process.pid));
    const listed = await listWorldRecords('ns', env);
    expect(listed.map((w) => [w.record.name, w.alive])).toEqual([
      ['alive', true],
      ['gone', false],
    ]);
  });

  it("keeps the world's seed, and still reads a record written without one", async () => {
    const env = { SOVH_STATE_DIR: await mkdtemp(join(tmpdir(), 'sovh-state-')) };
    const seeded = worldDir('ns', 'seeded', env);
    await writeWorldRecord(seeded, { ...record('seeded', process.pid), seed: 4_294_967_295 });
    expect((await readWorldRecord(seeded))?.seed).toBe(4_294_967_295);
    const older = worldDir('ns', 'older', env);
    await writeWorldRecord(older, record('older', process.pid));
    const read = await readWorldRecord(older);
    expect(read?.name).toBe('older');
    expect(read?.seed).toBeUndefined();
  });

  it('refuses a world name that cannot name a directory, saying what to use', () => {
    expect(checkWorldName('pw-1')).toBe('pw-1');
    expect(() => checkWorldName('../x')).toThrow(
      /world name "..\/x" is not usable: use up to 41 lower-case/,
    );
  });
});
