import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { listSessions } from '../runtime/engine-resources.ts';
import { listOrphanHostRules } from '../runtime/orphan-host-rules.ts';
import { namespacedEngine, nothingLeft, resourcesIn } from '../testing/docker-test-kit.ts';
import { runCli } from '../testing/run-cli.ts';
import { waitUntil } from '../util/wait-until.ts';

/** A scenario with routers (host routing rules), a schedule and a teardown of several networks. */
const scenario = 'egress-default-deny';

/** The moments a run is cut at: the first console line of each phase, plus a random delay. */
const moments: { phase: string; marker: RegExp; signal?: 'SIGINT'; withinMs?: number }[] = [
  { phase: 'bring-up', marker: /bringing up the world/ },
  // Networks still being created when the teardown sweeps once outlived the process.
  {
    phase: 'bring-up (SIGINT while networks are created)',
    marker: /bringing up the world/,
    signal: 'SIGINT',
    withinMs: 300,
  },
  { phase: 'schedule', marker: /\bstep: / },
  { phase: 'teardown', marker: /: tearing down/ },
];

/**
 * A run cut by SIGINT or SIGKILL at a random moment of each phase: with SIGINT it tears itself
 * down; after SIGKILL nothing of it may survive `sovh down --all`. Either way the engine holds no
 * container, network or volume of it afterwards, and the engine host keeps no routing rule of its
 * bridges. The signal and the delay are drawn per run and printed, so a failure can be replayed.
 */
describe('interrupted runs leave nothing behind', () => {
  const { engine, namespace } = namespacedEngine();

  it.each(moments)('cut in $phase', async ({ phase, marker, signal: fixed, withinMs }) => {
    const env = { SOVH_NAMESPACE: namespace(`cut-${phase.split(' ')[0] ?? phase}`) };
    const signal = fixed ?? (randomInt(2) === 0 ? 'SIGINT' : 'SIGKILL');
    const delayMs = randomInt(withinMs ?? 1_500);
    process.stdout.write(
      `interrupt: ${phase}, ${signal} ${String(delayMs)} ms after "${marker.source}"\n`,
    );
    const child = runCli(['run', scenario], env);
    let output = '';
    child.all.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    // The run's bridges, as they appear: other runs on the engine have rules of their own.
    const bridges = new Set<string>();
    const noteBridges = async () => {
      for (const session of await listSessions(engine().docker, env.SOVH_NAMESPACE))
        for (const network of session.networks) bridges.add(`br-${network.id.slice(0, 12)}`);
    };
    await waitUntil(
      async () => {
        await noteBridges();
        return marker.test(output) ? true : undefined;
      },
      {
        what: `the ${scenario} run`,
        expected: `in its ${phase} phase`,
        timeoutMs: 600_000,
        intervalMs: 50,
      },
    );
    await sleep(delayMs);
    await noteBridges();
    child.kill(signal);
    const result = await child;
    if (signal === 'SIGINT') {
      // Cut once its world is gone (checks, reports), the run ends by the signal's default or
      // by itself: what matters is that it ends and that nothing of it is left.
      const ended = result.exitCode ?? result.signal;
      expect([0, 1, 130, 'SIGINT'], `${String(ended)}\n${result.all}`).toContain(ended);
    } else {
      const down = await runCli(['down', '--all'], env);
      expect(down.exitCode, down.all).toBe(0);
    }
    expect(await resourcesIn(engine(), env.SOVH_NAMESPACE)).toEqual(nothingLeft);
    const orphans = (await listOrphanHostRules(engine().docker)).removed;
    expect(orphans.filter((b) => bridges.has(b))).toEqual([]);
  });
});
