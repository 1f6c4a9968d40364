import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { hsmRefusalBound } from '../../harness/contract/key-custody-bounds.ts';
import { injectFault } from '../../harness/faults/inject-fault.ts';
import { awaitStoreServing } from '../../harness/checks/probes/custody-evidence.ts';
import { runStoreLoad, stopStoreLoad } from '../../harness/checks/probes/store-load.ts';
import type { FaultWindow } from '../../harness/faults/fault-train.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import type { TopologyInput } from '../../harness/topology/topology-schema.ts';
import { storePort } from '../../harness/contract/site-file.ts';
import { hsmWatchCheck, observeEveryHsmWatch } from '../hsm-cable-cut/hsm-watch-cadence.ts';
import { cellBlastRadiusChecks, cells, loadPlan } from './cell-blast-radius-checks.ts';

const here = dirname(fileURLToPath(import.meta.url));
const bootTimeoutMs = 180_000;

/** The steps a mutant's schedule may stop after (Mutant.stopAfterStep). */
const steps = {
  watch: "count the hosts' pings at each HSM before the first cut",
} as const;

const topology: TopologyInput = {
  zones: [{ name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.47.0.0/16'] }],
  cells: [
    { name: 'cell-a', zone: 'sovereign' },
    { name: 'cell-b', zone: 'sovereign' },
  ],
  services: [
    // One KMS for the zone; an HSM per cell.
    { name: 'kms', kind: 'kms', zone: 'sovereign' },
    { name: 'hsm-a', kind: 'hsm', zone: 'sovereign', cell: 'cell-a' },
    { name: 'hsm-b', kind: 'hsm', zone: 'sovereign', cell: 'cell-b' },
  ],
  hosts: [...cells.a, ...cells.b].map((name) => ({
    name,
    zone: 'sovereign',
    cell: name.startsWith('a') ? 'cell-a' : 'cell-b',
  })),
};

/** The mutant's world: cell B has no HSM of its own and uses cell A's. */
function sharedHsm(input: TopologyInput): TopologyInput {
  return {
    ...input,
    services: (input.services ?? [])
      .filter((s) => s.name !== 'hsm-b')
      .map((s) => (s.name === 'hsm-a' ? { ...s, options: { cells: ['cell-a', 'cell-b'] } } : s)),
  };
}

/**
 * The manual's cell architecture: a fault stays inside its cell. Two cells of three hosts, each
 * with its own HSM; cell A's HSM is cut, in a train of cuts, while a load of writes and reads runs
 * against all six hosts. Cell B must serve every request the whole time; cell A must fail closed
 * at every cut (the fault was real) and recover after every heal.
 */
export default defineScenario({
  name: 'cell-blast-radius',
  description:
    "Cut cell A's HSM again and again under load: cell B serves every read and write throughout; cell A fails closed at every cut and recovers after every heal",
  needs: [],
  sections: ['kms', 'hsm', 'store'],
  contractBounds: [hsmRefusalBound],
  topology,
  async run(context) {
    const { world } = context;
    const hosts = [...cells.a, ...cells.b].map((name) => world.host(name));
    await context.step('all six hosts serve', async () => {
      await Promise.all(hosts.map((h) => awaitStoreServing(world, h, bootTimeoutMs)));
    });
    // Every store serves and no fault is on from here to the first cut: the watches' window.
    const watchedSinceMs = Date.now();
    const targets = hosts.map((h) => ({ host: h.name, address: h.address, port: storePort }));
    const loadStartedAtMs = Date.now();
    const stopFile = `/tmp/stop-load-${loadStartedAtMs}`;
    const observer = world.observer('sovereign');
    const load = runStoreLoad(
      observer,
      targets,
      loadPlan.loadLimitMs,
      `load-${loadStartedAtMs}`,
      stopFile,
    );
    // The load promise is awaited below; a failure of the fault steps must not leave it dangling.
    load.catch(() => undefined);
    let cuts: FaultWindow[] = [];
    try {
      await sleep(loadPlan.firstCutAfterMs);
      await context.step(steps.watch, () => observeEveryHsmWatch(context, watchedSinceMs));
      cuts = await context.faultTrain(loadPlan.train, {
        inject: () => injectFault(context, 'hsm-cut', { hsm: 'hsm-a' }),
        gaps: context.random.stream('hsm cut gaps'),
      });
      await sleep(loadPlan.tailMs);
    } finally {
      await stopStoreLoad(observer, stopFile);
    }
    await context.step('the load finishes', async () => {
      const requests = await load;
      context.observe('load', { loadStartedAtMs, cuts, requests });
    });
  },
  checks: [...cellBlastRadiusChecks, hsmWatchCheck],
  mutants: [
    {
      name: 'shared-hsm',
      description: "Both cells use cell A's HSM: cutting it reaches into cell B",
      expectFailing: ['cell-b-unaffected'],
      trainFaults: 1,
      topology: sharedHsm,
    },
    {
      name: 'software-key-fallback',
      description:
        'Without its HSM, cell A falls back to a software key and keeps accepting writes: the fault never reaches it',
      expectFailing: ['fault-hit-cell-a'],
      trainFaults: 1,
      stackPatch: join(here, '..', 'hsm-cable-cut', 'mutants', 'software-key-fallback.patch'),
    },
    {
      name: 'lost-hsm-retried-slowly',
      description:
        'While the HSM is lost the watch backs off to a try every 30 s ("no need to hammer a dead device"): cell A stays closed long after its HSM is back',
      expectFailing: ['cell-a-recovers'],
      trainFaults: 1,
      stackPatch: join(here, 'mutants', 'lost-hsm-retried-slowly.patch'),
    },
    {
      // The watch's margin: four cuts meet a 1.5 s watch at too few phases to catch it; each
      // cell's HSM sees its period before the first cut.
      name: 'hsm-watch-past-bound',
      description:
        'The HSM watch polls every 1.5 s instead of 0.5 s: most cuts are still refused within the 1 s bound',
      expectFailing: ['hsm-watched-within-bound'],
      stopAfterStep: steps.watch,
      stackPatch: join(here, '..', 'hsm-cable-cut', 'mutants', 'hsm-watch-past-bound.patch'),
    },
  ],
});
