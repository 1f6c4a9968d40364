import { storePort } from '../../harness/contract/site-file.ts';
import { probeStore } from '../../harness/checks/probes/serving-probe.ts';
import { storeRead, storeRoundTrip } from '../../harness/checks/probes/store-probe.ts';
import { awaitServing } from '../../harness/checks/probes/serving-probe.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
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

/** One read of a record written earlier, through the store API from the zone's observer. */
export interface ReadProbe {
  startedAtMs: number;
  finishedAtMs: number;
  /** The HTTP status (0: no answer). */
  status: number;
  /** Answered 200 with the record's bytes. */
  served: boolean;
  detail: string;
}

/** A record the store took before the schedule, read back by the read probes. */
export interface KnownRecord {
  id: string;
  payload: string;
}

/**
 * Waits until the host serves, then writes a record through the store API from its zone's
 * observer (observed as 'store-write'); the step fails when the store does not take it.
 */
export async function serveAndWriteRecord(
  context: ScenarioContext,
  host: HostVm,
  record: KnownRecord,
  bootTimeoutMs: number,
): Promise<void> {
  await awaitServing(context.world, host, bootTimeoutMs);
  const trip = await storeRoundTrip(
    context.world.observer(host.machine.spec.zone),
    host.address,
    storePort,
    record.id,
    record.payload,
  );
  context.observe('store-write', trip);
  if (!trip.ok)
    throw new SovhError(
      'SCENARIO_STEP_FAILED',
      `the store did not take the record: ${trip.detail}`,
    );
}

/** How often the read probes run: each is a curl in the observer, slower than a connect. */
const readIntervalMs = 1_000;

/**
 * Tries the host's store port from the zone's observer at a steady pace, for as long as the
 * schedule runs: when the sovereign services stopped (and whether they came back) is read off
 * these attempts, not off the stack's word. Given a record the store took earlier, it also reads
 * that record back, a second apart: an open port that answers every request with an error is not
 * serving.
 */
export class StoreAvailability {
  readonly probes: AvailabilityProbe[] = [];
  readonly reads: ReadProbe[] = [];
  private readonly task: PeriodicTask;
  private readonly readTask: PeriodicTask | undefined;

  constructor(
    private readonly context: ScenarioContext,
    private readonly host: HostVm,
    intervalMs = 500,
    record?: KnownRecord,
  ) {
    if (record !== undefined)
      this.readTask = new PeriodicTask(readIntervalMs, async () => {
        if (!host.isRunning) return;
        const startedAtMs = Date.now();
        const read = await storeRead(
          context.world.observer(host.machine.spec.zone),
          host.address,
          storePort,
          record.id,
        );
        this.reads.push({
          startedAtMs,
          finishedAtMs: Date.now(),
          status: read.status,
          served: read.status === 200 && read.body === record.payload,
          detail:
            read.status === 200 && read.body !== record.payload
              ? 'answered 200 with other bytes than the record'
              : `${read.status} ${read.body.slice(0, 80)} ${read.detail}`.trim(),
        });
      });
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
    this.readTask?.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.task.stop(), this.readTask?.stop()]);
    this.context.observe('store-availability', {
      host: this.host.name,
      probes: this.probes,
      ...(this.readTask === undefined ? {} : { reads: this.reads }),
    });
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
