import { awaitServing } from '../../harness/checks/probes/serving-probe.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { RunClock } from '../../harness/util/run-clock.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import { machineBmc } from '../../harness/world/machine-devices.ts';
import type { StartedBmc } from '../../sims/bmc/bmc.ts';
import type { IncidentPlan } from '../incident/evidence-kit.ts';
import { bootTimeoutMs } from './thermal-evidence.ts';

/** The harness's own reads that run beside the model while a kit watches (the BMC, the store). */
export interface KitSampler {
  start(): void;
  stop(): Promise<void>;
}

/** Where a schedule began: on the model's clock and the wall clock. */
export interface ScheduleStart {
  modelS: number;
  wallMs: number;
}

/** A host's machine's BMC playing the thermal model for a kit, and the schedule's start on it. */
export interface DrivenModel {
  bmc: StartedBmc;
  /** A kit's `during`: notes when the schedule began on the model's clock. */
  during(plan: IncidentPlan, startedAtMs: number): Promise<void>;
  /** The schedule's start (the clock's own start when the schedule never began). */
  since(): ScheduleStart;
  /** Stops the sampler, then the model. */
  stop(): Promise<void>;
}

/**
 * What the thermal evidence kits share around a schedule: the host serves; its machine's BMC plays
 * the thermal model on a run clock (unless the schedule drives it already), and the kit's sampler
 * runs from then on; the schedule's start is noted on that clock, from which crossings are read.
 */
export async function startDrivenModel(
  context: ScenarioContext,
  vm: HostVm,
  options: {
    speedup: number;
    sampler: (bmc: StartedBmc) => KitSampler;
    beforeDrive?: (bmc: StartedBmc) => Promise<void>;
  },
): Promise<DrivenModel> {
  const { world } = context;
  const bmc = machineBmc(world, vm.machine.name);
  const sampler = options.sampler(bmc);
  await context.step('boot and serve', async () => {
    await awaitServing(world, vm, bootTimeoutMs);
  });
  await context.step('drive the thermal model on the run clock', async () => {
    await options.beforeDrive?.(bmc);
    if (!bmc.driven) await bmc.drive(RunClock.startNow(options.speedup));
    sampler.start();
  });
  let from: ScheduleStart | undefined;
  return {
    bmc,
    during(_plan, startedAtMs) {
      from = { modelS: bmc.runClock.modelSecondsAt(startedAtMs), wallMs: startedAtMs };
      return Promise.resolve();
    },
    since: () => from ?? { modelS: 0, wallMs: bmc.runClock.wallMsAt(0) },
    async stop() {
      await sampler.stop();
      await bmc.stop();
    },
  };
}
