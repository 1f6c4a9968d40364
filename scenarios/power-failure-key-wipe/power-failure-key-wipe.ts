import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import {
  keysGoneFromMemory,
  keysGoneWindow,
  noKeyOnFilesystems,
  servicesStoppedAfterLowBattery,
  shutdownLogged,
  wipeBeforeThermalCritical,
} from '../power-thermal/power-checks.ts';
import { keyWipeBoundMs, outageTopology, runOutage } from '../power-thermal/outage-schedule.ts';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The seed manual's power-failure answer: "wipe volatile session keys from RAM before the thermal
 * inertia of the cooling system fails". A host serves with its data key in memory; the mains fail
 * (the UPS goes on battery and the room's cooling stops), the UPS reaches LB, and the harness
 * scans every process of the host (/proc/PID/mem, from outside) until the key is gone, then its
 * files and disks. The key must be gone within a bounded time of LB and before the thermal model
 * reaches the critical temperature; the report gives the time from LB to the last key gone.
 */
export default defineScenario({
  name: 'power-failure-key-wipe',
  description:
    'UPS OL, OB, LB: the data key leaves every process and file of the host within a bounded time of LB, before the thermal critical point; services stop',
  needs: ['cap:SYS_PTRACE'],
  sections: ['power', 'kms', 'hsm'],
  topology: outageTopology,
  async run(context) {
    const outage = await runOutage(context);
    await outage.finish();
    await context.step('report the time from LB to the last key gone', () => {
      const window = keysGoneWindow(context.history);
      context.observe('key-wipe-timing', {
        lowBatteryWallMs: outage.timeline.lowBatteryWallMs,
        keysGoneByMs:
          window.goneByMs === undefined
            ? undefined
            : window.goneByMs - outage.timeline.lowBatteryWallMs,
        keysLastSeenMs:
          window.lastSeenMs === undefined
            ? undefined
            : window.lastSeenMs - outage.timeline.lowBatteryWallMs,
      });
      return Promise.resolve();
    });
  },
  checks: [
    keysGoneFromMemory('keys-gone-from-memory', keyWipeBoundMs),
    noKeyOnFilesystems('no-key-on-filesystems'),
    servicesStoppedAfterLowBattery('services-stopped', keyWipeBoundMs),
    wipeBeforeThermalCritical('wipe-before-thermal-critical'),
    shutdownLogged('shutdown-logged'),
  ],
  mutants: [
    {
      name: 'wipe-deletes-files-only',
      description:
        'The graceful shutdown removes key files from tmpfs but leaves the keys in memory',
      expectFailing: ['keys-gone-from-memory', 'wipe-before-thermal-critical'],
      stackPatch: join(here, 'mutants', 'wipe-deletes-files-only.patch'),
    },
  ],
});
