import { dirname, join } from 'node:path';
import { injectFault } from '../../harness/faults/inject-fault.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { awaitStoreServing } from '../../harness/checks/probes/custody-evidence.ts';
import {
  describeScan,
  MemoryScanner,
  type KnownSecret,
} from '../../harness/checks/probes/memory-scan.ts';
import { runStoreLoad, stopStoreLoad } from '../../harness/checks/probes/store-load.ts';
import { hsmHangRefusalBound, hsmRefusalBound } from '../../harness/contract/key-custody-bounds.ts';
import { boundValue } from '../../harness/scenario/scenario-bounds.ts';
import { storeRoundTrip } from '../../harness/checks/probes/store-probe.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { storePort } from '../../harness/contract/site-file.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import { faultPlan, hsmCableCutChecks } from './hsm-cable-cut-checks.ts';
import { hsmWatchCheck, observeHsmWatch } from './hsm-watch-cadence.ts';
import { hungHsmRefusedCheck, observeHsmHang } from './hsm-hang.ts';
import {
  agentProcess,
  faultLoad,
  learnDataKey,
  observeKeyInMemory,
  type CutWindow,
  observeAfterCuts,
  cutsJudgedStep,
} from './hsm-cable-cut-evidence.ts';

const here = dirname(fileURLToPath(import.meta.url));
const hostNames = ['vm1', 'vm2'];
const bootTimeoutMs = 180_000;

/** The steps a mutant's schedule may stop after (Mutant.stopAfterStep). */
const steps = {
  watch: "count the hosts' pings at the HSM before the first cut",
  cutsJudged: cutsJudgedStep,
} as const;

/**
 * The manual's ERR_CRYPTO_DEVICE_NOT_FOUND case: the cell's HSM is cut off in a train of cuts
 * (see `faultPlan`) while a load of writes and reads runs. Within two HSM watch intervals
 * of each cut the store must refuse writes and reads (also of data stored before), the data key
 * must be gone from every process's memory (scanned from outside, with the key the harness reads
 * from the KMS), nothing may be stored in clear; the error goes to /var/log/hsm/secure.log, and the
 * store serves again once the HSM is back, in the same boot and the same process.
 */
export default defineScenario({
  name: 'hsm-cable-cut',
  description:
    "Cut the cell's HSM under load: writes and reads refused within two watch intervals, the data key out of memory, nothing stored in clear, error logged; heal: writes succeed again without a restart",
  // The memory scans read the stack's processes from a harness container with SYS_PTRACE.
  needs: ['cap:SYS_PTRACE'],
  sections: ['kms', 'hsm', 'store'],
  contractBounds: [hsmRefusalBound, hsmHangRefusalBound],
  topology: {
    zones: [{ name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.43.0.0/16'] }],
    cells: [{ name: 'cell-a', zone: 'sovereign' }],
    services: [
      { name: 'kms', kind: 'kms', zone: 'sovereign', cell: 'cell-a' },
      { name: 'hsm-a', kind: 'hsm', zone: 'sovereign', cell: 'cell-a' },
    ],
    hosts: hostNames.map((name) => ({ name, zone: 'sovereign', cell: 'cell-a' })),
  },
  async run(context) {
    const { world } = context;
    const observer = world.observer('sovereign');
    const hosts = hostNames.map((name) => world.host(name));
    const stamp = Date.now();
    const before = new Map<
      string,
      { objectId: string; payload: string; agent: string; container: string }
    >();

    const scanners = new Map<string, MemoryScanner>();
    await context.step('every host serves and stores an object', async () => {
      await Promise.all(hosts.map((h) => awaitStoreServing(world, h, bootTimeoutMs)));
      for (const host of hosts) {
        const objectId = `before-cut-${host.name}-${stamp}`;
        const payload = `written before the cut on ${host.name}`;
        const trip = await storeRoundTrip(observer, host.address, storePort, objectId, payload);
        if (!trip.ok)
          throw new SovhError('SCENARIO_STEP_FAILED', `${host.name} did not store: ${trip.detail}`);
        before.set(host.name, {
          objectId,
          payload,
          agent: await agentProcess(host),
          container: host.container.id,
        });
      }
      for (const host of hosts) scanners.set(host.name, await MemoryScanner.attach(world, host));
    });

    const secrets = await context.step(
      "learn each host's data key from the KMS; scan memory: the scan sees it",
      async () => {
        const learnt = new Map<string, KnownSecret>();
        for (const host of hosts) learnt.set(host.name, await learnDataKey(context, 'kms', host));
        await Promise.all(
          hosts.map(async (host) => {
            const secret = learnt.get(host.name);
            const scan =
              secret === undefined ? undefined : await scanners.get(host.name)?.scan([secret]);
            if (scan !== undefined)
              observeKeyInMemory(context, host, 'before-cut', scan, describeScan(scan));
          }),
        );
        return learnt;
      },
    );
    // Every store serves and no fault is on from here to the first cut: the watches' window.
    const watchedSinceMs = Date.now();

    const targets = hosts.map((h) => {
      const earlier = before.get(h.name);
      return {
        host: h.name,
        address: h.address,
        port: storePort,
        ...(earlier === undefined
          ? {}
          : { standing: { objectId: earlier.objectId, payload: earlier.payload } }),
      };
    });
    const stopFile = `/tmp/stop-load-${stamp}`;
    const load = runStoreLoad(observer, targets, faultPlan.loadLimitMs, `load-${stamp}`, stopFile);
    // Awaited below; a failed fault step must not leave its rejection unhandled.
    load.catch(() => undefined);
    let cuts: CutWindow[] = [];
    try {
      await sleep(faultPlan.firstCutAfterMs);
      await context.step(steps.watch, () =>
        observeHsmWatch(context, 'hsm-a', hostNames, watchedSinceMs),
      );
      cuts = await context.faultTrain(faultPlan.train, {
        inject: () => injectFault(context, 'hsm-cut', { hsm: 'hsm-a' }),
        gaps: context.random.stream('hsm cut gaps'),
        // While the HSM is gone (past the bound) in the first cut, the data key must be in no
        // process's memory.
        whileHeld: async (index) => {
          if (index > 0) return;
          await sleep(boundValue(context.history, hsmRefusalBound));
          await context.step('scan memory while the HSM is gone', () =>
            Promise.all(
              hosts.map(async (host) => {
                const secret = secrets.get(host.name);
                const scan =
                  secret === undefined ? undefined : await scanners.get(host.name)?.scan([secret]);
                if (scan !== undefined)
                  observeKeyInMemory(context, host, 'during-cut', scan, describeScan(scan));
              }),
            ),
          );
        },
      });
      await sleep(faultPlan.tailMs);
    } finally {
      await stopStoreLoad(observer, stopFile);
    }
    const requests = await context.step(
      'the load runs through the faults and the heals',
      async () => {
        const done = await load;
        context.observe(faultLoad, {
          cuts,
          standing: Object.fromEntries([...before].map(([host, b]) => [host, b.objectId])),
          requests: done,
        });
        return done;
      },
    );
    await Promise.all([...scanners.values()].map((s) => s.detach()));

    await observeAfterCuts(context, observer, hosts, requests, before);
    // Last: a hung HSM answers nothing and fails nothing, and the calls that waited for it only
    // return at the heal; whatever it leaves behind, the cuts were judged first.
    await context.step('the HSM hangs, its socket still open, under the load', () =>
      observeHsmHang(context, 'hsm-a', targets),
    );
  },
  checks: [...hsmCableCutChecks, hsmWatchCheck, hungHsmRefusedCheck],
  mutants: [
    {
      name: 'software-key-fallback',
      description:
        'When the HSM is gone the store falls back to a software key and keeps accepting writes',
      expectFailing: ['writes-refused-within-bound', 'recovers-without-restart'],
      // Every cut lets writes through to the software key: the first decides.
      trainFaults: 1,
      stopAfterStep: steps.cutsJudged,
      stackPatch: join(here, 'mutants', 'software-key-fallback.patch'),
    },
    {
      name: 'hsm-watch-slow',
      description:
        'The HSM watch polls every 3 s instead of 0.5 s: the store serves for seconds after the HSM is gone',
      expectFailing: [
        'writes-refused-within-bound',
        'reads-refused-within-bound',
        'hsm-watched-within-bound',
      ],
      stopAfterStep: steps.cutsJudged,
      stackPatch: join(here, 'mutants', 'hsm-watch-slow.patch'),
    },
    {
      name: 'hsm-watch-past-bound',
      description:
        'The HSM watch polls every 1.5 s ("a third of the HSM calls"): most cuts are still refused within the 1 s bound, and the train of cuts lets it through about one run in 18',
      expectFailing: ['hsm-watched-within-bound'],
      stopAfterStep: steps.watch,
      stackPatch: join(here, 'mutants', 'hsm-watch-past-bound.patch'),
    },
    {
      name: 'hsm-watch-inside-bound',
      description:
        'The HSM watch polls every 0.9 s ("just under the 1 s bound"): nearly every cut is refused in time, yet the contract\'s 0.5 s interval is broken and a cut waits up to twice as long to be seen',
      expectFailing: ['hsm-watched-within-bound'],
      stopAfterStep: steps.watch,
      stackPatch: join(here, 'mutants', 'hsm-watch-inside-bound.patch'),
    },
    {
      name: 'read-cipher-cached',
      description:
        'Reads reuse a cipher made at the first read from a copy of the data key: reads go on during the cut and the key stays in memory',
      expectFailing: ['reads-refused-within-bound', 'data-key-gone-during-cut'],
      trainFaults: 1,
      stopAfterStep: steps.cutsJudged,
      stackPatch: join(here, 'mutants', 'read-cipher-cached.patch'),
    },
    {
      name: 'loss-alarm-once-per-boot',
      description:
        'The secure log raises each kind of alarm once per boot ("the operator has seen it"): the first HSM loss is logged, the later ones are not',
      expectFailing: ['device-not-found-logged'],
      // The first loss is logged; the second is the first one missing.
      trainFaults: 2,
      stopAfterStep: steps.cutsJudged,
      stackPatch: join(here, 'mutants', 'loss-alarm-once-per-boot.patch'),
    },
    {
      name: 'refusal-code-copied',
      description:
        "The store's refusal for a key it cannot use says KEYS_WIPED whatever the cause (the line below, copied): clients are told of a shutdown wipe while the HSM is gone",
      expectFailing: ['refusals-name-device-not-found'],
      // The same wrong code at every cut: the first decides.
      trainFaults: 1,
      stopAfterStep: steps.cutsJudged,
      stackPatch: join(here, 'mutants', 'refusal-code-copied.patch'),
    },
    {
      name: 'name-claimed-before-key',
      description:
        "The store claims an object's name (an empty file on the data disk) before it asks for the data key: every write refused during a cut leaves a file behind, as if stored",
      expectFailing: ['nothing-stored-during-cut'],
      trainFaults: 1,
      stopAfterStep: steps.cutsJudged,
      stackPatch: join(here, 'mutants', 'name-claimed-before-key.patch'),
    },
    {
      name: 'hsm-ping-unbounded',
      description:
        'The HSM watch\'s ping waits for the HSM\'s answer as long as it takes ("a down HSM fails the call at once"): a cut cable is seen in time, a hung HSM never, and the store serves on from the key in memory',
      expectFailing: ['hung-hsm-refused-within-bound'],
      // The cuts are refused in time: one of them is enough before the hang.
      trainFaults: 1,
      stackPatch: join(here, 'mutants', 'hsm-ping-unbounded.patch'),
    },
  ],
});
