import { spawn } from 'node:child_process';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { askSupervisor } from '../../live/control-protocol.ts';
import { isProcessAlive, readWorldRecord, worldDir } from '../../live/world-dirs.ts';
import { currentNamespace } from '../../runtime/labels.ts';
import type { Logger } from '../../util/log.ts';
import { SovhError } from '../../util/sovh-error.ts';
import { renderUpSummary, type ReportedStatus } from '../live-output.ts';
import { renderSeedLine } from '../seed-output.ts';

/** Images may have to be built first: a cold machine takes minutes. */
const upBoundMs = 30 * 60_000;

/**
 * The background supervisor's command line: this one without --detach, and with the seed this
 * command chose when none was given (so the supervisor draws from the seed printed here).
 */
export function detachedArguments(
  args: readonly string[],
  seed: { seed: number; given: boolean },
): string[] {
  const kept = args.filter((a) => a !== '--detach');
  return seed.given ? kept : [...kept, '--seed', String(seed.seed)];
}

/**
 * `sovh up --detach`: starts the same command without --detach as a background process (its
 * output goes to the world's supervisor.log) and returns once the world answers, or with the
 * log's last lines when the supervisor ends first.
 */
export async function startDetached(
  name: string,
  log: Logger,
  seed: { seed: number; given: boolean },
): Promise<number> {
  const dir = worldDir(currentNamespace(), name);
  const existing = await readWorldRecord(dir);
  if (existing !== undefined && isProcessAlive(existing.pid)) {
    throw new SovhError(
      'WORLD_EXISTS',
      `a world named ${name} is already up (pid ${existing.pid}); bring it down with \`npx sovh down ${name}\` or give this one another --name`,
    );
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const logPath = join(dir, 'supervisor.log');
  const output = await open(logPath, 'w');
  const cli = join(import.meta.dirname, '..', 'sovh.mjs');
  const args = detachedArguments(process.argv.slice(2), seed);
  const child = spawn(process.execPath, [cli, ...args], {
    detached: true,
    stdio: ['ignore', output.fd, output.fd],
  });
  await output.close();
  let exited: number | null | undefined;
  child.on('exit', (code) => {
    exited = code;
  });
  child.unref();
  log.info(
    `bringing world ${name} up in the background with seed ${String(seed.seed)} (pid ${child.pid ?? '?'}; log: ${logPath})`,
  );

  const started = Date.now();
  let last = 'no record yet';
  while (Date.now() - started < upBoundMs) {
    if (exited !== undefined) {
      const tail = (await readFile(logPath, 'utf8').catch(() => '')).trim().split('\n').slice(-15);
      throw new SovhError(
        'UP_FAILED',
        `world ${name}'s supervisor ended (exit ${String(exited)}) before the world was up; its last lines:\n${tail.join('\n')}`,
      );
    }
    const record = await readWorldRecord(dir);
    last = record?.state ?? last;
    if (record?.state === 'up' && record.pid === child.pid) {
      const status = (await askSupervisor(record.socket, name, { op: 'status' })) as ReportedStatus;
      process.stdout.write(renderUpSummary(status));
      process.stdout.write(`${renderSeedLine(status.seed, [`--seed ${String(status.seed)}`])}\n`);
      process.stdout.write(
        `the world runs in the background (pid ${record.pid}) until \`npx sovh down ${name}\`\n`,
      );
      return 0;
    }
    await sleep(500);
  }
  throw new SovhError(
    'UP_TIMEOUT',
    `world ${name} not up after ${upBoundMs}ms: ${last}; see ${logPath}`,
  );
}
