import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import {
  keysGoneFromMemory,
  servicesStoppedAfterLowBattery,
  sovereignServicesStopped,
} from '../power-thermal/power-checks.ts';
import { outageTopology, runOutage } from '../power-thermal/outage-schedule.ts';
import { keyWipeBound, upsPollFrequencyS } from '../power-thermal/power-bounds.ts';
import { servesOnBattery } from '../power-thermal/on-battery-checks.ts';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * How long after the mains fail upsd sets FSD: the host has polled the UPS on battery a few times
 * (and prepared, serving on), and LB is still 3.5 s away (7.5 s after the mains fail at 20x), so
 * that a stack waiting for LB is past the two-poll bound before LB comes.
 */
const forcedShutdownAfterMs = 4_000;

/**
 * The outage world with a sovereign API behind the host's GeoIP gate: the gate (HAProxy, a process
 * of its own beside the agent) is one of the sovereign services the shutdown must stop.
 */
const topology = {
  ...outageTopology,
  services: [
    ...(outageTopology.services ?? []),
    {
      name: 'gated-api',
      kind: 'sovereign-api',
      zone: 'sovereign',
      options: { gateBackend: true },
    },
  ],
};

/**
 * A primary monitor orders a forced shutdown while the UPS is on battery and well before LB (NUT's
 * FSD flag, set at upsd as `upsmon -c fsd` on the primary does). The contract's power watch runs
 * the graceful residency shutdown on FSD as on LB: within two poll intervals of upsd reporting FSD
 * every key the harness learnt is gone from every process of the host and stays gone, and every
 * sovereign service stops listening (the same scans as power-failure-key-wipe, from FSD). Before
 * FSD, on battery alone, the stack prepares and keeps serving.
 */
export default defineScenario({
  name: 'ups-forced-shutdown',
  description:
    'UPS OL, OB, then FSD from a primary monitor before LB: every key leaves the host’s memory and every sovereign service stops within the bound of FSD, as on LB',
  needs: ['cap:SYS_PTRACE', 'cap:NET_RAW'],
  sections: ['power', 'kms', 'hsm', 'geo-gate'],
  topology,
  contractBounds: [keyWipeBound],
  async run(context) {
    const outage = await runOutage(context, { forcedShutdownAfterMs });
    await outage.finish();
  },
  checks: [
    keysGoneFromMemory('keys-gone-on-fsd', keyWipeBound),
    servicesStoppedAfterLowBattery('store-stopped-on-fsd', keyWipeBound),
    sovereignServicesStopped('sovereign-services-stopped-on-fsd', keyWipeBound),
    // The stack may see FSD up to a poll before the harness's own read of it.
    servesOnBattery('serves-on-battery', upsPollFrequencyS * 1_000),
  ],
  mutants: [
    {
      name: 'watcher-ignores-fsd',
      description:
        'The power watch treats only LOWBATT as critical: FSD, and the shutdown call upsmon makes for it, are logged and ignored, so the stack waits for LB',
      expectFailing: [
        'keys-gone-on-fsd',
        'store-stopped-on-fsd',
        'sovereign-services-stopped-on-fsd',
      ],
      stackPatch: join(here, 'mutants', 'watcher-ignores-fsd.patch'),
    },
    {
      name: 'shutdown-on-battery',
      description:
        'The on-battery step runs the residency shutdown instead of preparing for it: every mains blip takes the sovereign services down (it passes every key-wipe check)',
      expectFailing: ['serves-on-battery'],
      stackPatch: join(here, 'mutants', 'shutdown-on-battery.patch'),
    },
    {
      name: 'gate-outlives-shutdown',
      description:
        'The residency shutdown wipes the keys and stops the agent\u2019s services but not the GeoIP gate, a process of its own: its public port keeps accepting sessions',
      expectFailing: ['sovereign-services-stopped-on-fsd'],
      stackPatch: join(here, 'mutants', 'gate-outlives-shutdown.patch'),
    },
  ],
});
