import { setTimeout as sleep } from 'node:timers/promises';
import type { Heal } from '../../harness/faults/fault.ts';
import { injectFault } from '../../harness/faults/inject-fault.ts';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { awaitServing } from '../../harness/checks/probes/serving-probe.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { RunClock } from '../../harness/util/run-clock.ts';
import { machineBmc } from '../../harness/world/machine-devices.ts';
import { StoreAvailability } from '../power-thermal/store-availability.ts';
import { alarmAbove27, readingsAgreeWithModel } from '../power-thermal/thermal-checks.ts';
import {
  criticalActionBound,
  thermalAlarmBound,
  thermalPollIntervalMs,
} from '../power-thermal/thermal-bounds.ts';
import {
  bootTimeoutMs,
  observeResidencyLog,
  SensorPoller,
} from '../power-thermal/thermal-evidence.ts';
import { recordCriticalDeadline, recordCrossing } from '../power-thermal/thermal-schedule.ts';
import { MemoryScanner } from '../../harness/checks/probes/memory-scan.ts';
import { boundValue } from '../../harness/scenario/scenario-bounds.ts';
import {
  learnSecrets,
  observeMemoryScan,
  sovereignPortsOf,
} from '../power-thermal/power-evidence.ts';
import { keysWipedAtCritical, wipeScanPhases } from './critical-wipe-check.ts';
import {
  configuredCriticalPhase,
  coolingFailureCriticalChecks,
  hardwareCriticalPhase,
} from './critical-checks.ts';

import { blindMs, blindTheWatch, blindWatchReportedCheck } from './blind-watch.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** Model seconds per wall-clock second: cooling off to thermal trip in about half a minute. */
const speedup = 15;
/**
 * The site's critical CPU temperature: the stack must act there, fifteen degrees below the trip.
 * Not 85 C, the site schema's default and the BMC's upper non-critical threshold: a stack that
 * acts at either instead of the site's limit would act right there.
 */
const configuredCriticalCpuC = 80;
/** The wipe scan starts this long after the action is due: a scan's start is when it is judged. */
const scanAfterDueMs = 100;

/**
 * The room's cooling fails. The machine's temperatures climb as the thermal model says (the
 * harness reads them over IPMI and SNMP all along), the stack alarms when the inlet leaves the
 * operating range, and at its critical limit (CPU 80 C) it takes its critical action, the graceful
 * residency shutdown: its sovereign services must be gone, seen from the zone, within a bound of
 * the model's CPU reaching that configured limit, and before it reaches the hardware's critical
 * temperature (95 C).
 */
export default defineScenario({
  name: 'cooling-failure',
  description:
    "Cooling off: the temperatures follow the model and the stack takes its critical action before the model's critical temperature",
  // The wipe check scans the host's processes from a harness container with SYS_PTRACE.
  needs: ['cap:SYS_PTRACE'],
  sections: ['thermal'],
  contractBounds: [criticalActionBound, thermalAlarmBound],
  topology: {
    zones: [{ name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.45.0.0/16'] }],
    machines: [
      {
        name: 'rack2',
        zone: 'sovereign',
        bmc: {
          thermal: {
            ambientC: 30,
            roomHeatCPerKw: 20,
            roomTimeConstantS: 300,
            cpuCPerKw: 40,
            exhaustCPerKw: 12,
            criticalC: { inlet: 45, cpu: 95, exhaust: 70 },
          },
          initial: { loadKw: 1.2 },
          watch: {
            criticalC: { cpu: configuredCriticalCpuC },
            criticalAction: 'residency-shutdown',
            pollIntervalMs: thermalPollIntervalMs,
          },
        },
      },
    ],
    hosts: [{ name: 'vm1', machine: 'rack2' }],
  },
  async run(context) {
    const { world } = context;
    const vm = world.host('vm1');
    const bmc = machineBmc(world, 'rack2');
    const poller = new SensorPoller(context, bmc, 'sovereign');
    const availability = new StoreAvailability(context, vm);

    await context.step('boot and serve', async () => {
      await awaitServing(world, vm, bootTimeoutMs);
    });
    await context.step(
      `the BMC answers over neither protocol for ${blindMs / 1000} s, then again`,
      () => blindTheWatch(context, vm, 'rack2'),
    );
    // The positive control of the wipe check: the keys and the listeners the scan must see while
    // the host serves, learnt from outside the stack.
    const { scanner, secrets } = await context.step(
      "learn the host's keys from outside the stack; scan its memory while it serves",
      async () => {
        const learnt = await learnSecrets(context, vm);
        sovereignPortsOf(context, vm);
        const attached = await MemoryScanner.attach(world, vm);
        await observeMemoryScan(context, attached, learnt, wipeScanPhases.serving, {
          sockets: true,
        });
        return { scanner: attached, secrets: learnt };
      },
    );
    await context.step('drive the thermal model on the run clock', async () => {
      await bmc.drive(RunClock.startNow(speedup));
      poller.start();
      availability.start();
    });
    let coolingBack: Heal | undefined;
    try {
      await context.step(
        'cooling fails; follow the climb past the critical temperature',
        async () => {
          coolingBack = await injectFault(context, 'cooling-failure', {
            machine: 'rack2',
            state: 'off',
          });
          const off = bmc.model.schedule.findLast((e) => e.set.cooling === 'off');
          if (off === undefined) throw new Error('the cooling failure left no change in the model');
          const change = { modelS: off.atS, wallMs: bmc.runClock.wallMsAt(off.atS) };
          recordCrossing(context, bmc, 'above-27', 'inlet', 27, 'rising', change);
          const deadline = recordCriticalDeadline(context, bmc, 'cpu', change);
          // The hardware's critical temperature as the crossing critical-action-in-time judges: the
          // model's here, a recorded trace's first reading at or above it in an incident.
          recordCrossing(
            context,
            bmc,
            hardwareCriticalPhase,
            'cpu',
            deadline.criticalC,
            'rising',
            change,
          );
          // The limit the harness's own topology gave the stack, not one read from the host.
          const configured = bmc.options.watch.criticalC.cpu ?? configuredCriticalCpuC;
          const configuredCrossing = recordCrossing(
            context,
            bmc,
            configuredCriticalPhase,
            'cpu',
            configured,
            'rising',
            change,
          );
          if (configuredCrossing.crossingWallMs !== undefined) {
            // Once the action is due: the graceful shutdown must have wiped the keys by then.
            const dueMs =
              configuredCrossing.crossingWallMs +
              boundValue(context.history, criticalActionBound) +
              scanAfterDueMs;
            await sleep(Math.max(0, dueMs - Date.now()));
            await observeMemoryScan(context, scanner, secrets, wipeScanPhases.due, {
              sockets: true,
            });
          }
          const untilMs = (deadline.criticalWallMs ?? Date.now()) + 3_000;
          await sleep(Math.max(0, untilMs - Date.now()));
        },
      );
    } finally {
      // Healed while the model still runs: the heal is a change of its inputs.
      await coolingBack?.().catch((error: unknown) => {
        context.log.warn(`the cooling could not be turned back on: ${String(error)}`);
      });
      await Promise.all([
        poller.stop(),
        availability.stop(),
        bmc.stop(),
        scanner.detach().catch(() => undefined),
      ]);
    }
    await context.step('collect the evidence', async () => {
      await observeResidencyLog(context, vm, 'end');
    });
  },
  checks: [
    readingsAgreeWithModel(
      'curve-follows-model',
      "Every IPMI and SNMP read of the climbing temperatures equals the thermal model at the protocol's resolution",
      4,
    ),
    alarmAbove27(thermalAlarmBound),
    ...coolingFailureCriticalChecks(),
    keysWipedAtCritical('keys-wiped-at-critical', criticalActionBound),
    blindWatchReportedCheck,
  ],
  mutants: [
    {
      name: 'failed-read-skipped',
      description:
        'A read that fails over both protocols returns no readings instead of raising ("the next poll will have them; evaluate() skips sensors without a reading"): the watch goes blind and never says so',
      expectFailing: ['readings-unavailable-reported'],
      stopAfterStep: `the BMC answers over neither protocol for ${blindMs / 1000} s, then again`,
      stackPatch: join(here, 'mutants', 'failed-read-skipped.patch'),
    },
    {
      name: 'critical-stops-services-only',
      description:
        'The thermal watch takes its critical action by stopping the sovereign services alone, not by the graceful residency shutdown: the store stops in time, and the data key stays in memory',
      expectFailing: ['keys-wiped-at-critical'],
      stackPatch: join(here, 'mutants', 'critical-stops-services-only.patch'),
    },
    {
      name: 'store-restarted-by-keepalive',
      description:
        "The store's thread restarts its server 5 s after the loop ends (against a crash, as a unit with Restart=always would): the critical action stops it in time, and the keepalive brings it back while the machine is still overheating",
      expectFailing: ['critical-action-in-time', 'critical-action-at-configured-limit'],
      stackPatch: join(here, 'mutants', 'store-restarted-by-keepalive.patch'),
    },
    {
      name: 'critical-limit-key-misread',
      description:
        "The thermal watch reads its critical limits under the wrong site key and falls back to the manual's CPU 85 C: it acts, still well before the 95 C trip, but 5 C past the site's 80 C",
      expectFailing: ['critical-action-at-configured-limit'],
      stackPatch: join(here, 'mutants', 'critical-limit-key-misread.patch'),
    },
    {
      name: 'no-critical-action',
      description: 'The thermal watcher logs THERMAL_CRITICAL but takes no action',
      expectFailing: ['critical-action-in-time', 'critical-action-at-configured-limit'],
      stackPatch: join(here, 'mutants', 'no-critical-action.patch'),
    },
    {
      name: 'alarm-debounced',
      description:
        'The thermal watch alarms only after ten readings in a row outside the range (against flapping at the boundary): 4.5 s late at a 500 ms poll, well within the old 10 s slack',
      expectFailing: ['alarm-above-27'],
      stackPatch: join(here, 'mutants', 'alarm-debounced.patch'),
    },
    {
      name: 'critical-debounced',
      description:
        'The thermal watch acts only after ten readings in a row at or above the critical limit (to ride out a sensor glitch): 4.5 s at a 500 ms poll, about 4 C past the configured 80 C, still before the 95 C trip',
      expectFailing: ['critical-action-at-configured-limit'],
      stackPatch: join(here, 'mutants', 'critical-debounced.patch'),
    },
  ],
});
