import { setTimeout as sleep } from 'node:timers/promises';
import type { Heal } from '../../harness/faults/fault.ts';
import type { StartedUps } from '../../sims/ups/ups.ts';
import { injectFault } from '../../harness/faults/inject-fault.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import type { TopologyInput } from '../../harness/topology/topology-schema.ts';
import type { PowerTimeline } from './power-checks.ts';
import { upsPollFrequencyS } from './power-bounds.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import {
  awaitLowBattery,
  type CriticalStatus,
  finishOutage,
  observeTimeline,
  outageTimes,
  scanOutage,
  watchForOutage,
  type WatchedOutage,
} from './outage-watch.ts';

export { outageSpeedup, storedObject } from './outage-watch.ts';

/**
 * A machine on a UPS in a room whose cooling is not on the UPS, its host in a cell with a KMS and
 * an HSM (key custody: the data key comes from the KMS, unwrapped by the HSM). The battery (50 Wh
 * for 600 W: 300 model seconds) reports LB at half charge, 150 s after the mains fail (7.5 s at
 * 20x); with the cooling lost, the CPU would reach its 95 C thermal trip about 15 model minutes
 * later. The thermal watch only alarms here, so the power watch alone has to act.
 */
export const outageTopology: TopologyInput = {
  zones: [{ name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.44.0.0/16'] }],
  cells: [{ name: 'cell-a', zone: 'sovereign' }],
  services: [
    {
      name: 'ups1',
      kind: 'ups',
      zone: 'sovereign',
      options: {
        battery: { capacityWh: 50, loadW: 600, lowBatteryPercent: 50, lowRuntimeS: 0 },
        // The contract's wipe bound is two of these polls (power-bounds.ts).
        pollFrequencyS: upsPollFrequencyS,
      },
    },
    { name: 'kms', kind: 'kms', zone: 'sovereign', cell: 'cell-a' },
    { name: 'hsm', kind: 'hsm', zone: 'sovereign', cell: 'cell-a' },
    // The zone's envelope key service: the host holds the zone key in memory while it serves.
    {
      name: 'zone-keys',
      kind: 'sovereign-api',
      zone: 'sovereign',
      options: { zoneKey: { keyId: 'sovereign-envelope-1', clientCidrs: ['10.44.0.0/16'] } },
    },
  ],
  machines: [
    {
      name: 'rack1',
      zone: 'sovereign',
      ups: 'ups1',
      bmc: {
        thermal: { roomTimeConstantS: 600, roomHeatCPerKw: 20, cpuCPerKw: 40, exhaustCPerKw: 12 },
        initial: { loadKw: 1.2 },
        watch: { criticalAction: 'alarm-only' },
      },
    },
  ],
  hosts: [{ name: 'vm1', machine: 'rack1', cell: 'cell-a' }],
};

/** How an outage goes: to LB (the default), or with a primary's FSD while the UPS is on battery. */
export interface OutageOptions {
  /**
   * Wall-clock ms after the mains fail at which upsd sets FSD, well before LB: the stack must
   * shut down on FSD as on LB, and the bounds count from FSD.
   */
  forcedShutdownAfterMs?: number;
}

/** What the outage left for a scenario to go on with. */
export interface Outage extends WatchedOutage {
  /** Heals the mains failure: mains and cooling back. */
  restoreMains: Heal;
  /** Heals the power-off: the machine powers on, its TPM afresh, its hosts boot cold. */
  powerOn: Heal;
  timeline: PowerTimeline;
  /** Stops every poller and records what they saw, and the stack's log. */
  finish(): Promise<void>;
}

/**
 * The power failure common to the outage scenarios: a host serving with its data key in memory
 * (the scan sees it: the positive control), the mains fail (UPS OB, cooling off), the UPS reaches
 * LB, the harness scans the host's memory until the key is gone, then its files and disks, and the
 * machine loses power when the battery runs dry. Both faults are the registry's.
 */
export async function runOutage(
  context: ScenarioContext,
  options: OutageOptions = {},
): Promise<Outage> {
  const watched = await watchForOutage(context, 'vm1');
  try {
    const restoreMains = await injectFault(context, 'mains-failure', { ups: watched.ups.name });
    const times = outageTimes(context, watched);
    const critical: CriticalStatus = options.forcedShutdownAfterMs === undefined ? 'LB' : 'FSD';
    // The primary's FSD comes while the scans run; its failure ends the run after them.
    const forced =
      options.forcedShutdownAfterMs === undefined
        ? undefined
        : forceShutdownAt(
            context,
            watched.ups,
            times.lossWallMs + options.forcedShutdownAfterMs,
            times.lowBatteryModelWallMs,
          ).then(
            () => undefined,
            (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
          );
    await scanOutage(context, watched, times.exhaustedWallMs, {
      critical,
      criticalDueMs:
        options.forcedShutdownAfterMs === undefined
          ? times.lowBatteryModelWallMs
          : times.lossWallMs + options.forcedShutdownAfterMs,
    });
    const forcedError = await forced;
    if (forcedError !== undefined) throw forcedError;
    const lowBattery = await awaitLowBattery(
      context,
      watched,
      times.lowBatteryModelWallMs,
      Math.max(5_000, times.lowBatteryModelWallMs - Date.now() + 20_000),
      critical,
    );
    await watched.detachScanner();
    const { powerOn, powerOffWallMs } = await context.step(
      'the battery runs dry: the machine loses power',
      async () => {
        const waitMs = times.exhaustedWallMs - Date.now();
        if (waitMs > 0) await sleep(waitMs);
        const at = Date.now();
        const heal = await injectFault(context, 'machine-power-off', {
          machine: watched.machine,
        });
        return { powerOn: heal, powerOffWallMs: at };
      },
    );
    const timeline = observeTimeline(context, { ...times, powerOffWallMs }, lowBattery, critical);
    return {
      ...watched,
      restoreMains,
      powerOn,
      timeline,
      finish: () => finishOutage(context, watched),
    };
  } catch (error) {
    // Nothing of the run may keep polling a world that is being torn down.
    await watched.stop();
    throw error;
  }
}

/**
 * Has upsd set FSD at `wallMs` (a primary monitor's forced shutdown). It must land before LB, or
 * the run would not tell a stack that acts on FSD from one that waits for LB.
 */
async function forceShutdownAt(
  context: ScenarioContext,
  ups: StartedUps,
  wallMs: number,
  lowBatteryWallMs: number,
): Promise<void> {
  const waitMs = wallMs - Date.now();
  if (waitMs > 0) await sleep(waitMs);
  await injectFault(context, 'ups-forced-shutdown', { ups: ups.name });
  // upsd's own moment, not this one: the exec that set it may come back seconds later.
  const setWallMs = ups.forcedShutdownWallMs ?? Date.now();
  if (setWallMs >= lowBatteryWallMs)
    throw new SovhError(
      'SCENARIO_STEP_FAILED',
      `upsd set FSD only ${setWallMs - lowBatteryWallMs} ms after the UPS reached LB: the run cannot tell a stack that acts on FSD from one that waits for LB`,
    );
}
