import { setTimeout as sleep } from 'node:timers/promises';
import type { Heal } from '../../harness/faults/fault.ts';
import { injectFault } from '../../harness/faults/inject-fault.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { formatDuration } from '../../harness/util/duration.ts';
import type { FaultMoment, IncidentPlan, KitWatch } from './evidence-kit.ts';

async function sleepUntil(wallMs: number): Promise<void> {
  const waitMs = wallMs - Date.now();
  if (waitMs > 0) await sleep(waitMs);
}

/**
 * Applies an incident's faults at their times through the fault registry (each recorded as
 * `sovh inject` records it), heals those with a `for` after that long, and holds until the
 * schedule's end. Each kit hears of a fault before it is applied, so that it can stop watching
 * what the fault takes away.
 */
export async function runIncidentSchedule(
  context: ScenarioContext,
  plan: IncidentPlan,
  watches: readonly KitWatch[],
  startedAtMs: number,
): Promise<void> {
  const heals: Promise<void>[] = [];
  try {
    for (const fault of plan.faults) {
      await sleepUntil(startedAtMs + fault.atMs);
      const tell = async (moment: FaultMoment) => {
        for (const watch of watches) await watch.at(moment, fault);
      };
      await tell('before-fault');
      const heal: Heal = await context.step(
        `at ${formatDuration(fault.atMs)}: ${fault.type} (${fault.path})`,
        () => injectFault(context, fault.type, fault.parameters),
      );
      await tell('after-fault');
      if (fault.forMs !== undefined) {
        const forMs = fault.forMs;
        heals.push(
          sleep(forMs).then(() =>
            context.step(`heal ${fault.type} after ${formatDuration(forMs)}`, async () => {
              await tell('before-heal');
              await heal();
              await tell('after-heal');
            }),
          ),
        );
      }
    }
    await sleepUntil(startedAtMs + plan.endMs);
  } finally {
    // A heal due within the schedule is waited for; one that fails fails the schedule.
    await Promise.all(heals);
  }
}
