import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import {
  keysGoneFromMemory,
  servicesStoppedAfterLowBattery,
  sovereignServicesStopped,
} from '../power-thermal/power-checks.ts';
import { outageTopology, runOutage } from '../power-thermal/outage-schedule.ts';
import { keyWipeBound } from '../power-thermal/power-bounds.ts';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * How long after the mains fail upsd sets FSD: the host has polled the UPS on battery twice (and
 * prepared), and LB is still 5 s away (7.5 s after the mains fail at 20x), so that a stack
 * waiting for LB is past the bound before LB comes.
 */
const forcedShutdownAfterMs = 2_500;

/**
 * A primary monitor orders a forced shutdown while the UPS is on battery and well before LB (NUT's
 * FSD flag, set at upsd as `upsmon -c fsd` on the primary does). The contract's power watch runs
 * the graceful residency shutdown on FSD as on LB: within two poll intervals of upsd reporting FSD
 * every key the harness learnt is gone from every process of the host and stays gone, and every
 * sovereign service stops listening (the same scans as power-failure-key-wipe, from FSD).
 */
export default defineScenario({
  name: 'ups-forced-shutdown',
  description:
    'UPS OL, OB, then FSD from a primary monitor before LB: every key leaves the host’s memory and every sovereign service stops within the bound of FSD, as on LB',
  needs: ['cap:SYS_PTRACE', 'cap:NET_RAW'],
  sections: ['power', 'kms', 'hsm'],
  topology: outageTopology,
  contractBounds: [keyWipeBound],
  async run(context) {
    const outage = await runOutage(context, { forcedShutdownAfterMs });
    await outage.finish();
  },
  checks: [
    keysGoneFromMemory('keys-gone-on-fsd', keyWipeBound),
    servicesStoppedAfterLowBattery('store-stopped-on-fsd', keyWipeBound),
    sovereignServicesStopped('sovereign-services-stopped-on-fsd', keyWipeBound),
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
  ],
});
