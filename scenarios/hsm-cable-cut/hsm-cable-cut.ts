import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { awaitStoreServing } from '../../harness/checks/probes/custody-evidence.ts';
import { runStoreLoad } from '../../harness/checks/probes/store-load.ts';
import { storeRead, storeRoundTrip } from '../../harness/checks/probes/store-probe.ts';
import { cutHsmCable } from '../../harness/faults/hsm-cable-cut.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { storePort } from '../../harness/contract/site-file.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import { faultPlan, hsmCableCutChecks } from './hsm-cable-cut-checks.ts';
import {
  agentProcess,
  observeDiskAfterFault,
  type SameBootObservation,
} from './hsm-cable-cut-evidence.ts';

const here = dirname(fileURLToPath(import.meta.url));
const hostNames = ['vm1', 'vm2'];
const bootTimeoutMs = 180_000;

/**
 * The manual's ERR_CRYPTO_DEVICE_NOT_FOUND case: the cell's HSM is cut off while a load of writes
 * and reads runs. The store must refuse writes within a bounded time (fail closed, nothing in
 * clear), log the error in /var/log/hsm/secure.log, and serve again once the HSM is back, in the
 * same boot and the same process.
 */
export default defineScenario({
  name: 'hsm-cable-cut',
  description:
    "Cut the cell's HSM under load: writes refused within a bound, nothing stored in clear, error logged; heal: writes succeed again without a restart",
  needs: [],
  sections: ['kms', 'hsm', 'store'],
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
    });

    const targets = hosts.map((h) => ({ host: h.name, address: h.address, port: storePort }));
    const load = runStoreLoad(observer, targets, faultPlan.loadMs, `load-${stamp}`);
    // Awaited below; a failed fault step must not leave its rejection unhandled.
    load.catch(() => undefined);
    await sleep(faultPlan.cutAfterMs);
    const heal = await context.inject(cutHsmCable('hsm-a'));
    const cutAtMs = Date.now();
    await sleep(faultPlan.healAfterMs - faultPlan.cutAfterMs);
    // The HSM may answer before heal() returns (it waits for the socket): the window of the
    // fault ends when the heal begins.
    const healBeganAtMs = Date.now();
    await heal();
    const healedAtMs = Date.now();
    const requests = await context.step(
      'the load runs through the fault and the heal',
      async () => {
        const done = await load;
        context.observe('fault-load', { cutAtMs, healBeganAtMs, healedAtMs, requests: done });
        return done;
      },
    );

    await context.step('look at the disks and the secure logs', async () => {
      for (const host of hosts) await observeDiskAfterFault(context, host, requests);
    });
    await context.step('the earlier objects read back, in the same boot and process', async () => {
      for (const host of hosts) {
        const earlier = before.get(host.name);
        const read =
          earlier === undefined
            ? { status: 0, body: '' }
            : await storeRead(observer, host.address, storePort, earlier.objectId);
        const observation: SameBootObservation = {
          host: host.name,
          readBackBefore: { status: read.status, matches: read.body === earlier?.payload },
          agentBefore: earlier?.agent ?? '',
          agentAfter: await agentProcess(host),
          containerBefore: earlier?.container ?? '',
          containerAfter: host.container.id,
        };
        context.observe('same-boot', observation);
      }
    });
  },
  checks: hsmCableCutChecks,
  mutants: [
    {
      name: 'software-key-fallback',
      description:
        'When the HSM is gone the store falls back to a software key and keeps accepting writes',
      expectFailing: ['writes-refused-within-bound'],
      stackPatch: join(here, 'mutants', 'software-key-fallback.patch'),
    },
  ],
});
