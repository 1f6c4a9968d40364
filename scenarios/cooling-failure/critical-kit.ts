import { parameter } from '../../harness/faults/fault-parameters.ts';
import type { EvidenceKit, KitWatch } from '../incident/evidence-kit.ts';
import { StoreAvailability } from '../power-thermal/store-availability.ts';
import { criticalActionBound } from '../power-thermal/thermal-bounds.ts';
import { startDrivenModel } from '../power-thermal/driven-model.ts';
import { observeResidencyLog } from '../power-thermal/thermal-evidence.ts';
import { changesTemperatures } from '../power-thermal/thermal-kit.ts';
import { recordScheduleCrossing } from '../power-thermal/thermal-schedule.ts';
import { configuredCriticalPhase, hardwareCriticalPhase } from './critical-checks.ts';

/** Model seconds per wall-clock second, as in cooling-failure. */
const criticalKitSpeedup = 15;

/**
 * cooling-failure's evidence around any schedule: the host serves, its machine's BMC plays the
 * thermal model on a run clock (and any recorded trace the schedule plays), the harness tries the
 * host's store from the zone all along, and after the schedule it records the CPU's arrival at the
 * site's configured critical limit and at the hardware's critical temperature (the model's, or the
 * last played trace's first reading at or above each) and the stack's residency log.
 */
export const criticalKit: EvidenceKit = {
  name: 'thermal-critical',
  description:
    "cooling-failure's evidence: the host's store probed from the zone through the schedule, the CPU's arrival at the configured critical limit and at the hardware's critical temperature (the model's, or a recorded trace's), and the stack's residency log",
  needs: [],
  sections: ['thermal'],
  contractBounds: [criticalActionBound],
  parameters: {
    host: parameter.node(
      'host',
      'the host whose critical action is judged (its machine needs a BMC)',
    ),
  },
  planProblems(plan) {
    if (changesTemperatures(plan)) return [];
    return [
      'the critical-temperature checks judge a recorded BMC trace or a cooling failure: add a `bmc-trace` whose CPU climbs past the configured critical limit, e.g. `- at: 1s` with `fault: bmc-trace` and `params: { file: traces/cpu-overheat.csv, speedup: 60 }`, or a `cooling-failure`, and a `wait:` until the CPU is past it',
    ];
  },
  async start(context, values) {
    const vm = context.world.host(String(values['host']));
    const model = await startDrivenModel(context, vm, {
      speedup: criticalKitSpeedup,
      sampler: () => new StoreAvailability(context, vm),
    });
    const { bmc } = model;
    const watch: KitWatch = {
      during: (plan, startedAtMs) => model.during(plan, startedAtMs),
      at: () => Promise.resolve(),
      async finish() {
        await model.stop();
        const since = model.since();
        // The limit the harness's own topology gave the stack, not one read from the host.
        const configured = bmc.options.watch.criticalC.cpu;
        if (configured === undefined)
          context.log.warn(`the site gives ${vm.name} no critical CPU limit: nothing to judge`);
        else
          recordScheduleCrossing(
            context,
            bmc,
            configuredCriticalPhase,
            'cpu',
            configured,
            'rising',
            since,
            'at-or-past',
          );
        const hardwareC = bmc.model.parameters.criticalC.cpu;
        recordScheduleCrossing(
          context,
          bmc,
          hardwareCriticalPhase,
          'cpu',
          hardwareC,
          'rising',
          since,
          'at-or-past',
        );
        await observeResidencyLog(context, vm, 'end');
      },
      abort: () => model.stop(),
    };
    return watch;
  },
};
