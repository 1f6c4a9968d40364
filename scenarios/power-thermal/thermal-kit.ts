import { awaitServing } from '../../harness/checks/probes/serving-probe.ts';
import { parameter } from '../../harness/faults/fault-parameters.ts';
import { RunClock } from '../../harness/util/run-clock.ts';
import { machineBmc } from '../../harness/world/machine-devices.ts';
import type { EvidenceKit, IncidentPlan, KitWatch } from '../incident/evidence-kit.ts';
import { thermalAlarmBound } from './thermal-bounds.ts';
import { bootTimeoutMs, observeResidencyLog, SensorPoller } from './thermal-evidence.ts';
import { observePullEvidence, recordScheduleCrossing } from './thermal-schedule.ts';

/** Model seconds per wall-clock second, as in thermal-excursion. */
const thermalKitSpeedup = 30;

/** The operating range the alarm checks judge (alarm-above-27, alarm-below-18). */
const alarmCrossings = [
  { phase: 'above-27', thresholdC: 27, direction: 'rising' },
  { phase: 'below-18', thresholdC: 18, direction: 'falling' },
] as const;

/**
 * Whether a schedule moves a machine's temperatures, so that a crossing can exist: a recorded BMC
 * trace (its readings give the crossing) or a cooling failure (the thermal model's does). Whether
 * they get past a threshold within the schedule is the checks' to say: unknown when they do not.
 */
export function changesTemperatures(plan: IncidentPlan): boolean {
  return plan.faults.some((f) => f.type === 'bmc-trace' || f.type === 'cooling-failure');
}

/**
 * The thermal evidence of thermal-excursion, around any schedule: the host serves, its machine's
 * BMC plays the thermal model on a run clock (and any recorded trace the schedule plays), the
 * harness reads the BMC over IPMI and SNMP all along, and after the schedule it records the
 * inlet's crossings of 27 C and 18 C (the model's, or the last played trace's first reading past
 * each), who queried the BMC, and the stack's residency log.
 */
export const thermalKit: EvidenceKit = {
  name: 'thermal-alarms',
  description:
    "thermal-excursion's evidence: the BMC read over IPMI and SNMP through the schedule, the inlet's crossings of 27 C and 18 C (the model's, or a recorded trace's), the BMC's request counters and the stack's alarms",
  needs: [],
  sections: ['thermal'],
  contractBounds: [thermalAlarmBound],
  parameters: {
    host: parameter.node(
      'host',
      'the host whose thermal watch is judged (its machine needs a BMC)',
    ),
  },
  planProblems(plan) {
    if (changesTemperatures(plan)) return [];
    return [
      'the thermal alarm checks judge a recorded BMC trace or a cooling failure: add a `bmc-trace` to the schedule whose inlet leaves 18-27 C, e.g. `- at: 1s` with `fault: bmc-trace` and `params: { file: traces/room-excursion.csv, speedup: 60 }`, or a `cooling-failure` and a `wait:` until the inlet is past 27 C',
    ];
  },
  async start(context, values) {
    const { world } = context;
    const vm = world.host(String(values['host']));
    const bmc = machineBmc(world, vm.machine.name);
    const poller = new SensorPoller(context, bmc, vm.machine.spec.zone);
    await context.step('boot and serve', async () => {
      await awaitServing(world, vm, bootTimeoutMs);
    });
    await context.step('drive the thermal model on the run clock', async () => {
      await bmc.countRequestsFrom(vm.address);
      if (!bmc.driven) await bmc.drive(RunClock.startNow(thermalKitSpeedup));
      poller.start();
    });
    let from: { modelS: number; wallMs: number } | undefined;
    const stop = async () => {
      await poller.stop();
      await bmc.stop();
    };
    const watch: KitWatch = {
      during(_plan, startedAtMs) {
        from = { modelS: bmc.runClock.modelSecondsAt(startedAtMs), wallMs: startedAtMs };
        return Promise.resolve();
      },
      at: () => Promise.resolve(),
      async finish() {
        await stop();
        const since = from ?? { modelS: 0, wallMs: bmc.runClock.wallMsAt(0) };
        for (const c of alarmCrossings)
          recordScheduleCrossing(context, bmc, c.phase, 'inlet', c.thresholdC, c.direction, since);
        await observePullEvidence(context, vm, bmc);
        await observeResidencyLog(context, vm, 'end');
      },
      abort: stop,
    };
    return watch;
  },
};
