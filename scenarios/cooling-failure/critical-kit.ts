import { awaitServing } from '../../harness/checks/probes/serving-probe.ts';
import { parameter } from '../../harness/faults/fault-parameters.ts';
import { RunClock } from '../../harness/util/run-clock.ts';
import { machineBmc } from '../../harness/world/machine-devices.ts';
import type { EvidenceKit, KitWatch } from '../incident/evidence-kit.ts';
import { StoreAvailability } from '../power-thermal/store-availability.ts';
import { criticalActionBound } from '../power-thermal/thermal-bounds.ts';
import { bootTimeoutMs, observeResidencyLog } from '../power-thermal/thermal-evidence.ts';
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
    const { world } = context;
    const vm = world.host(String(values['host']));
    const bmc = machineBmc(world, vm.machine.name);
    const availability = new StoreAvailability(context, vm);
    await context.step('boot and serve', async () => {
      await awaitServing(world, vm, bootTimeoutMs);
    });
    await context.step('drive the thermal model on the run clock', async () => {
      if (!bmc.driven) await bmc.drive(RunClock.startNow(criticalKitSpeedup));
      availability.start();
    });
    let from: { modelS: number; wallMs: number } | undefined;
    const stop = async () => {
      await availability.stop();
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
      abort: stop,
    };
    return watch;
  },
};
