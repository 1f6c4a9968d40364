import { faultType, resolveFaultFiles } from '../../faults/fault-registry.ts';
import { askSupervisor } from '../../live/control-protocol.ts';
import type { FaultInForce } from '../../live/live-world.ts';
import { listWorldRecords, type WorldRecord } from '../../live/world-dirs.ts';
import { locateEngine } from '../../engine/engine-locator.ts';
import { listSessions } from '../../runtime/engine-resources.ts';
import { currentNamespace } from '../../runtime/labels.ts';
import { SovhError } from '../../util/sovh-error.ts';
import { parseFaultArguments } from '../fault-arguments.ts';
import { renderWorldStatus, type ReportedStatus } from '../live-output.ts';

/**
 * The scenario of a world kept by `sovh run --keep` whose run id is `name`, if there is one: such
 * a world is in the engine, but no supervisor holds it (its clock, its faults, its model).
 */
async function keptRun(name: string): Promise<{ scenario: string | undefined } | undefined> {
  if (!/^[0-9a-f]{8}$/.test(name)) return undefined;
  const engine = await locateEngine().catch(() => undefined);
  if (engine === undefined) return undefined;
  const sessions = await listSessions(engine.docker, currentNamespace()).catch(() => []);
  const session = sessions.find((s) => s.sessionId === name && s.keep);
  return session === undefined ? undefined : { scenario: session.scenario };
}

function keptRunNotLive(name: string, kept: { scenario: string | undefined }): SovhError {
  const scenario = kept.scenario ?? '<scenario>';
  return new SovhError(
    'KEPT_WORLD_NOT_LIVE',
    `run ${name} is a world kept by \`sovh run --keep\`: it stands as the run left it, but no ` +
      'supervisor holds it, so it takes no fault, heal or status. Read it with ' +
      '`npx sovh exec NODE -- CMD` and `npx sovh logs NODE`, remove it with ' +
      `\`npx sovh down --session ${name}\`; to apply faults by hand, bring the scenario up live: ` +
      `\`npx sovh up ${scenario}\``,
  );
}

/** A live world by name, with a one-line error and the fix when there is none or it is gone. */
export async function findLiveWorld(name: string): Promise<WorldRecord> {
  const worlds = await listWorldRecords(currentNamespace());
  const found = worlds.find((w) => w.record.name === name);
  if (found === undefined) {
    const kept = await keptRun(name);
    if (kept !== undefined) throw keptRunNotLive(name, kept);
    const up = worlds.filter((w) => w.alive).map((w) => w.record.name);
    throw new SovhError(
      'UNKNOWN_WORLD',
      up.length === 0
        ? `no world named "${name}" is up, nor any other; start one with \`npx sovh up <scenario>\``
        : `no world named "${name}" is up; worlds up: ${up.join(', ')} (\`npx sovh status\`)`,
    );
  }
  if (!found.alive) {
    throw new SovhError(
      'WORLD_GONE',
      `world ${name} is gone: its supervisor (pid ${found.record.pid}) ended; \`npx sovh down ${name}\` removes what is left`,
    );
  }
  if (found.record.state === 'starting') {
    throw new SovhError(
      'WORLD_STARTING',
      `world ${name} is still coming up; wait for \`npx sovh status ${name}\` to show it (log: ${found.record.log})`,
    );
  }
  return found.record;
}

/** `sovh status [WORLD]`: every live world, or one, with nodes, faults and model state. */
export async function statusCommand(
  world: string | undefined,
  options: { json?: boolean },
): Promise<number> {
  const records =
    world === undefined
      ? await listWorldRecords(currentNamespace())
      : [{ record: await findLiveWorld(world), alive: true }];
  const statuses: (ReportedStatus | { name: string; state: string; problem: string })[] = [];
  for (const { record, alive } of records) {
    if (!alive) {
      statuses.push({
        name: record.name,
        state: 'gone',
        problem: `its supervisor (pid ${record.pid}) ended; \`npx sovh down ${record.name}\` removes what is left`,
      });
    } else if (record.state === 'starting') {
      statuses.push({
        name: record.name,
        state: 'starting',
        problem: `coming up${record.seed === undefined ? '' : ` with seed ${record.seed}`}; log: ${record.log}`,
      });
    } else {
      statuses.push(
        (await askSupervisor(record.socket, record.name, { op: 'status' })) as ReportedStatus,
      );
    }
  }
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify(statuses, null, 2)}\n`);
    return 0;
  }
  if (statuses.length === 0) {
    process.stdout.write('no world is up; start one with `npx sovh up <scenario>`\n');
    return 0;
  }
  for (const status of statuses) {
    process.stdout.write(
      'problem' in status
        ? `world ${status.name}: ${status.state}: ${status.problem}\n`
        : renderWorldStatus(status),
    );
  }
  return 0;
}

/** `sovh inject WORLD FAULT [--PARAM V] [--for DURATION]`. */
export async function injectCommand(
  world: string,
  fault: string,
  tokens: readonly string[],
): Promise<number> {
  const given = parseFaultArguments(tokens);
  const forMs = given.forMs;
  // An unknown fault, and a file parameter that cannot be read (a trace with a malformed line),
  // are named before the world is asked for; files are read from here, by their absolute path.
  const parameters = resolveFaultFiles(faultType(fault), given.parameters);
  const record = await findLiveWorld(world);
  const applied = (await askSupervisor(record.socket, world, {
    op: 'inject',
    fault,
    parameters,
    ...(forMs === undefined ? {} : { forMs }),
  })) as FaultInForce;
  process.stdout.write(
    `injected ${applied.name} into world ${world}: ${applied.description}` +
      `${applied.healsAt === undefined ? `; heal with \`npx sovh heal ${world} ${applied.name}\`` : `; heals at ${applied.healsAt}`}\n`,
  );
  return 0;
}

/** `sovh heal WORLD [FAULT]`: heals one fault (by its name or kind) or every fault in force. */
export async function healCommand(world: string, fault: string | undefined): Promise<number> {
  const record = await findLiveWorld(world);
  const { healed } = (await askSupervisor(record.socket, world, {
    op: 'heal',
    ...(fault === undefined ? {} : { fault }),
  })) as { healed: string[] };
  process.stdout.write(
    healed.length === 0
      ? `no fault was in force in world ${world}\n`
      : `healed ${healed.join(', ')} in world ${world}\n`,
  );
  return 0;
}
