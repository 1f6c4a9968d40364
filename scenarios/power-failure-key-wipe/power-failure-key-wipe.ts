import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import {
  keysGoneFromMemory,
  keysGoneWindow,
  noKeyOnFilesystems,
  servicesStoppedAfterLowBattery,
  shutdownLogged,
  sovereignServicesStopped,
  wipeBeforeThermalCritical,
} from '../power-thermal/power-checks.ts';
import { outageTopology, runOutage } from '../power-thermal/outage-schedule.ts';
import { keyWipeBound, upsPollBound, upsPollFrequencyS } from '../power-thermal/power-bounds.ts';
import { servesOnBattery } from '../power-thermal/on-battery-checks.ts';
import { onBatteryLogged } from '../power-thermal/on-battery-logged.ts';
import { upsPolledPerContract } from '../power-thermal/ups-poll-checks.ts';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The seed manual's power-failure answer: "wipe volatile session keys from RAM before the thermal
 * inertia of the cooling system fails". A host serves with its data key in memory; the mains fail
 * (the UPS goes on battery and the room's cooling stops), the UPS reaches LB, and the harness
 * scans every readable page of every process of the host (/proc/PID/mem, from outside), its
 * listening sockets and every filesystem, again and again until the battery runs dry, for every
 * key it learnt itself (the data key from the KMS, the zone key from the key service, the KEK by
 * unsealing it with the TPM). The keys must be gone within the contract's bound of LB, stay gone,
 * and be gone before the thermal model reaches the critical temperature; every sovereign service
 * must stop listening; the report gives the time from LB to the last key gone. A tap on upsd's
 * port in the UPS's own network namespace shows when the host's monitor polled the UPS: at least
 * once a poll interval, on line and on battery, since the wipe bound rests on it.
 */
export default defineScenario({
  name: 'power-failure-key-wipe',
  description:
    'UPS OL, OB, LB: every key (data, zone, KEK) leaves every process and filesystem of the host within a bound of LB and stays gone until power-off, before the thermal critical point; every sovereign service stops listening',
  needs: ['cap:SYS_PTRACE', 'cap:NET_RAW'],
  sections: ['power', 'kms', 'hsm'],
  topology: outageTopology,
  contractBounds: [keyWipeBound, upsPollBound],
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
    keysGoneFromMemory('keys-gone-from-memory', keyWipeBound),
    noKeyOnFilesystems('no-key-on-filesystems', keyWipeBound),
    servicesStoppedAfterLowBattery('services-stopped', keyWipeBound),
    sovereignServicesStopped('sovereign-services-stopped', keyWipeBound),
    wipeBeforeThermalCritical('wipe-before-thermal-critical'),
    shutdownLogged('shutdown-logged'),
    upsPolledPerContract('ups-polled-per-contract', upsPollBound),
    // LB comes 7.5 s after the mains fail: a stack that gives the battery a few seconds before
    // it shuts down passes ups-forced-shutdown (whose FSD comes at 4 s) and fails here.
    servesOnBattery('serves-on-battery', upsPollFrequencyS * 1_000),
    onBatteryLogged('on-battery-logged'),
  ],
  mutants: [
    {
      name: 'keys-wiped-on-battery',
      description:
        'The power watch wipes the keys when the UPS goes on battery ("prepare: the keys go now, the services follow on LB"): the store keeps its port open and answers every request with 503 until LB, and a mains blip leaves it so until the next boot',
      expectFailing: ['serves-on-battery'],
      stackPatch: join(here, 'mutants', 'keys-wiped-on-battery.patch'),
    },
    {
      name: 'shutdown-after-seconds-on-battery',
      description:
        'The power watch shuts the residency down 3.5 s after the UPS goes on battery ("the usual grace on battery"), LB or not: every mains blip longer than that takes the sovereign services down',
      expectFailing: ['serves-on-battery'],
      stackPatch: join(here, 'mutants', 'shutdown-after-seconds-on-battery.patch'),
    },
    {
      name: 'data-key-cached-in-run',
      description:
        'The store keeps a copy of the data key in a file of its runtime tmpfs for its workers, outside the key directory the shutdown clears: the key is wiped from memory and stays in the file',
      expectFailing: ['no-key-on-filesystems'],
      stackPatch: join(here, 'mutants', 'data-key-cached-in-run.patch'),
    },
    {
      name: 'data-key-in-memfd',
      description:
        'The stack hands its workers the data key in a memfd ("by descriptor, never through a file with a path"): the shutdown wipes the vault\'s copy, the memfd\'s pages keep the key, and no path leads to them',
      expectFailing: ['no-key-on-filesystems'],
      stackPatch: join(here, 'mutants', 'data-key-in-memfd.patch'),
    },
    {
      name: 'wipe-deletes-files-only',
      description:
        'The graceful shutdown removes key files from tmpfs but leaves the keys in memory',
      expectFailing: ['keys-gone-from-memory', 'wipe-before-thermal-critical'],
      stackPatch: join(here, 'mutants', 'wipe-deletes-files-only.patch'),
    },
    {
      name: 'envelope-keys-not-wiped',
      description:
        'The zone envelope keys live in plain bytearrays outside the key vault: the shutdown wipes the data key and leaves them in memory',
      expectFailing: ['keys-gone-from-memory', 'wipe-before-thermal-critical'],
      stackPatch: join(here, 'mutants', 'envelope-keys-not-wiped.patch'),
    },
    {
      name: 'zone-key-cached-on-first-use',
      description:
        'The zone key is copied out of the vault on its first seal or open and the copy kept ("one vault lookup per key"): the wipe clears the vault and leaves the copy',
      expectFailing: ['keys-gone-from-memory'],
      stackPatch: join(here, 'mutants', 'zone-key-cached-on-first-use.patch'),
    },
    {
      name: 'relay-keeps-listening',
      description:
        'The envelope relay registers no stop action: the shutdown closes the store and leaves the relay listening',
      expectFailing: ['sovereign-services-stopped'],
      stackPatch: join(here, 'mutants', 'relay-keeps-listening.patch'),
    },
    {
      name: 'key-reread-after-wipe',
      description:
        'After the shutdown a recovery check has the HSM unwrap the data key again, into a buffer nothing wipes: the key comes back after a clean scan',
      expectFailing: ['keys-gone-from-memory'],
      stackPatch: join(here, 'mutants', 'key-reread-after-wipe.patch'),
    },
    {
      name: 'wipe-after-drain',
      description:
        'The shutdown lets in-flight requests drain for 3 s before it wipes the keys: well within the old 15 s slack, past two UPS polls',
      expectFailing: ['keys-gone-from-memory', 'services-stopped', 'sovereign-services-stopped'],
      stackPatch: join(here, 'mutants', 'wipe-after-drain.patch'),
    },
    {
      name: 'ups-poll-default-on-battery',
      description:
        "The monitor's configuration leaves out POLLFREQALERT: on battery upsmon polls at NUT's default 5 s, so LB is seen up to 5 s late (the key-wipe bound then holds only when the poll happens to fall just after LB)",
      expectFailing: ['ups-polled-per-contract'],
      stackPatch: join(here, 'mutants', 'ups-poll-default-on-battery.patch'),
    },
    {
      name: 'shutdown-logged-to-console',
      description:
        'The shutdown writes its last line, RESIDENCY_SHUTDOWN_COMPLETE, to standard output only ("the console is collected anyway"): the residency log on the VM disk never says the shutdown completed',
      expectFailing: ['shutdown-logged'],
      stackPatch: join(here, 'mutants', 'shutdown-logged-to-console.patch'),
    },
    {
      name: 'on-battery-not-notified',
      description:
        'The monitor is told of LB, FSD and the rest but not of OB ("LB is what acts"): the stack still shuts down in time, yet never says it is on battery nor flushes its writes before LB',
      expectFailing: ['on-battery-logged'],
      stackPatch: join(here, 'mutants', 'on-battery-not-notified.patch'),
    },
  ],
});
