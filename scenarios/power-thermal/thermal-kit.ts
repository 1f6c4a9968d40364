import { parameter } from '../../harness/faults/fault-parameters.ts';
import type { EvidenceKit, IncidentPlan, KitWatch } from '../incident/evidence-kit.ts';
import { thermalAlarmBound } from './thermal-bounds.ts';
import { startDrivenModel } from './driven-model.ts';
import { observeResidencyLog, SensorPoller } from './thermal-evidence.ts';
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
    const vm = context.world.host(String(values['host']));
    const model = await startDrivenModel(context, vm, {
      speedup: thermalKitSpeedup,
      sampler: (bmc) => new SensorPoller(context, bmc, vm.machine.spec.zone),
      beforeDrive: (bmc) => bmc.countRequestsFrom(vm.address),
    });
    const { bmc } = model;
    const watch: KitWatch = {
      during: (plan, startedAtMs) => model.during(plan, startedAtMs),
      at: () => Promise.resolve(),
      async finish() {
        await model.stop();
        const since = model.since();
        for (const c of alarmCrossings)
          recordScheduleCrossing(context, bmc, c.phase, 'inlet', c.thresholdC, c.direction, since);
        await observePullEvidence(context, vm, bmc);
        await observeResidencyLog(context, vm, 'end');
      },
      abort: () => model.stop(),
    };
    return watch;
  },
};
