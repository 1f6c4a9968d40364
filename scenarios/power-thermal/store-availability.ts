import { probeStore } from '../../harness/checks/probes/serving-probe.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { PeriodicTask } from '../../harness/util/periodic-task.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';

/** One connection attempt to a host's store from its zone's observer. */
export interface AvailabilityProbe {
  /** When the attempt started and ended (epoch ms). */
  startedAtMs: number;
  finishedAtMs: number;
  connected: boolean;
  detail: string;
}

/**
 * Tries the host's store port from the zone's observer at a steady pace, for as long as the
 * schedule runs: when the sovereign services stopped (and whether they came back) is read off
 * these attempts, not off the stack's word.
 */
export class StoreAvailability {
  readonly probes: AvailabilityProbe[] = [];
  private readonly task: PeriodicTask;

  constructor(
    private readonly context: ScenarioContext,
    private readonly host: HostVm,
    intervalMs = 500,
  ) {
    this.task = new PeriodicTask(intervalMs, async () => {
      if (!host.isRunning) {
        const now = Date.now();
        this.probes.push({
          startedAtMs: now,
          finishedAtMs: now,
          connected: false,
          detail: 'host powered off',
        });
        return;
      }
      const startedAtMs = Date.now();
      const probe = await probeStore(context.world, host);
      this.probes.push({
        startedAtMs,
        finishedAtMs: Date.now(),
        connected: probe.connected,
        detail: probe.detail,
      });
    });
  }

  start(): void {
    this.task.start();
  }

  async stop(): Promise<void> {
    await this.task.stop();
    this.context.observe('store-availability', { host: this.host.name, probes: this.probes });
  }
}

/**
 * When the store stopped for good after `afterMs`: by the end of the first failed attempt after
 * the last successful one (an upper bound: it stopped somewhere between the last success and
 * then). Undefined while it still answered at the last attempt.
 */
export function stoppedServingBy(
  probes: readonly AvailabilityProbe[],
  afterMs: number,
): { byMs: number; lastServedAtMs?: number } | undefined {
  const later = probes.filter((p) => p.startedAtMs >= afterMs);
  const last = later.at(-1);
  if (last === undefined || last.connected) return undefined;
  const lastServed = [...later].reverse().find((p) => p.connected);
  const firstFailure = later.find(
    (p) => !p.connected && p.startedAtMs > (lastServed?.finishedAtMs ?? -Infinity),
  );
  return firstFailure === undefined
    ? undefined
    : { byMs: firstFailure.finishedAtMs, lastServedAtMs: lastServed?.finishedAtMs };
}

/** When the store first answered after `afterMs`. */
export function firstServedAt(
  probes: readonly AvailabilityProbe[],
  afterMs: number,
): number | undefined {
  return probes.find((p) => p.startedAtMs >= afterMs && p.connected)?.finishedAtMs;
}
