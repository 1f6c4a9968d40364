import { setTimeout as sleep } from 'node:timers/promises';
import { awaitServing } from '../../harness/checks/probes/serving-probe.ts';
import { MemoryScanner, type MemoryScan } from '../../harness/checks/probes/memory-scan.ts';
import { storeRoundTrip } from '../../harness/checks/probes/store-probe.ts';
import { mainsFailure, powerOffMachine } from '../../harness/faults/mains-failure.ts';
import type { Heal } from '../../harness/faults/fault.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import type { TopologyInput } from '../../harness/topology/topology-schema.ts';
import { storePort } from '../../harness/contract/site-file.ts';
import { RunClock } from '../../harness/util/run-clock.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import { waitUntil } from '../../harness/util/wait-until.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import { machineBmc, machineUps } from '../../harness/world/machine-devices.ts';
import type { StartedBmc } from '../../sims/bmc/bmc.ts';
import type { StartedUps } from '../../sims/ups/ups.ts';
import type { PowerTimeline } from './power-checks.ts';
import {
  learnSecrets,
  observeMemoryScan,
  scanThroughOutage,
  sovereignPortsOf,
  UpsWatch,
  type LearntSecret,
} from './power-evidence.ts';
import { StoreAvailability } from './store-availability.ts';
import { keyWipeBound, upsPollFrequencyS } from './power-bounds.ts';
import { boundValue } from '../../harness/scenario/scenario-bounds.ts';
import { bootTimeoutMs, observeResidencyLog } from './thermal-evidence.ts';
import { recordCriticalDeadline } from './thermal-schedule.ts';
import { UpsPollCapture } from './ups-poll-capture.ts';
import { upsForcedShutdown } from './forced-shutdown.ts';

/** Model seconds per wall-clock second for the outage scenarios. */
export const outageSpeedup = 20;

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

/** How often the harness reads the UPS through the outage (upsc from the zone). */
const upsReadIntervalMs = 250;

/** Scans of the serving host's memory that may try to see the keys before the outage. */
const positiveControlScans = 5;

/** What the scans of the serving host did not see yet: keys held while serving, sovereign ports. */
function positiveControlMissing(
  scans: readonly MemoryScan[],
  secrets: readonly LearntSecret[],
  ports: readonly number[],
): string[] {
  const found = new Set(scans.flatMap((s) => s.foundInMemory));
  const listening = new Set(
    scans.flatMap((s) =>
      (s.sockets ?? []).filter((k) => k.processes.length > 0).map((k) => k.port),
    ),
  );
  return [
    ...secrets.filter((s) => s.heldWhileServing && !found.has(s.label)).map((s) => s.label),
    ...ports.filter((p) => !listening.has(p)).map((p) => `a listener of the host on port ${p}`),
  ];
}

export const storedObject = {
  id: 'before-outage',
  payload: 'sovereign record written before the power failure',
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
export interface Outage {
  vm: HostVm;
  bmc: StartedBmc;
  ups: StartedUps;
  secrets: LearntSecret[];
  availability: StoreAvailability;
  upsWatch: UpsWatch;
  restoreMains: Heal;
  timeline: PowerTimeline;
  /** Stops every poller and records what they saw, and the stack's log. */
  finish(): Promise<void>;
}

/**
 * The power failure common to the outage scenarios: a host serving with its data key in memory
 * (the scan sees it: the positive control), the mains fail (UPS OB, cooling off), the UPS reaches
 * LB, the harness scans the host's memory until the key is gone, then its files and disks, and the
 * machine loses power when the battery runs dry.
 */
export async function runOutage(
  context: ScenarioContext,
  options: OutageOptions = {},
): Promise<Outage> {
  const { world } = context;
  const vm = world.host('vm1');
  const bmc = machineBmc(world, 'rack1');
  const ups = machineUps(world, 'rack1');
  const availability = new StoreAvailability(context, vm);
  // LB is when upsd reports it, as the harness's own upsc reads it: as often as this, so that
  // the bound of two monitor polls is measured from no later than a quarter of one.
  const upsWatch = new UpsWatch(context, ups, 'sovereign', upsReadIntervalMs);

  await context.step('boot, serve and write a record', async () => {
    await awaitServing(world, vm, bootTimeoutMs);
    const trip = await storeRoundTrip(
      world.observer('sovereign'),
      vm.address,
      storePort,
      storedObject.id,
      storedObject.payload,
    );
    context.observe('store-write', trip);
    if (!trip.ok)
      throw new SovhError(
        'SCENARIO_STEP_FAILED',
        `the store did not take the record: ${trip.detail}`,
      );
  });
  const secrets = await context.step('learn every key of the host from outside the stack', () =>
    learnSecrets(context, vm),
  );
  const ports = sovereignPortsOf(context, vm).ports;
  // Started before the positive control, so that the capture holds the host's polls on line.
  const polls = await context.step('tap upsd to see the host’s UPS polls', () =>
    UpsPollCapture.start(world, ups, vm),
  );
  const stopPollers = async () => {
    await Promise.all(
      [availability.stop(), upsWatch.stop(), bmc.stop(), ups.stop(), polls.stop()].map((p) =>
        p.catch(() => undefined),
      ),
    );
  };
  const scanner = await MemoryScanner.attach(world, vm);
  try {
    await context.step(
      'scan the host’s memory and sockets while it serves (positive control)',
      async () => {
        // A key may be out of memory for a moment (the stack drops the data key while its HSM
        // link is down); the control needs each key held while serving seen by some scan, and
        // each sovereign port seen listening in the host's process, and says so when not.
        const scans: MemoryScan[] = [];
        for (let attempt = 1; attempt <= positiveControlScans; attempt += 1) {
          scans.push(
            await observeMemoryScan(context, scanner, secrets, 'before-outage', { sockets: true }),
          );
          const missing = positiveControlMissing(scans, secrets, ports);
          if (missing.length === 0) return;
          if (attempt < positiveControlScans) await sleep(2_000);
        }
        throw new SovhError(
          'POSITIVE_CONTROL_FAILED',
          `${positiveControlScans} scans of ${vm.name} while it served did not see ${positiveControlMissing(scans, secrets, ports).join(', ')}: a clean scan later would prove nothing`,
        );
      },
    );
    await context.step('run the UPS and the thermal model on one clock', async () => {
      const clock = RunClock.startNow(outageSpeedup);
      await Promise.all([bmc.drive(clock), ups.drive(clock)]);
      availability.start();
      upsWatch.start();
    });
    const restoreMains = await context.inject(mainsFailure('ups1'));
    const loss = ups.model.schedule.findLast((e) => e.kind === 'power-loss');
    if (loss === undefined)
      throw new Error('the mains failure left no power loss in the UPS model');
    const clock = ups.runClock;
    const { lowBatteryAtS, exhaustedAtS } = ups.dischargeTimes();
    recordCriticalDeadline(context, bmc, 'cpu', {
      modelS: loss.atS,
      wallMs: clock.wallMsAt(loss.atS),
    });
    const exhaustedWallMs = clock.wallMsAt(exhaustedAtS);
    const wipeBoundMs = boundValue(context.history, keyWipeBound);
    const critical = options.forcedShutdownAfterMs === undefined ? 'LB' : 'FSD';
    const criticalWords = critical === 'LB' ? ['OB', 'LB'] : ['FSD'];
    // The primary's FSD comes while the scans run; its failure ends the run after them.
    const forced =
      options.forcedShutdownAfterMs === undefined
        ? undefined
        : forceShutdownAt(
            context,
            clock.wallMsAt(loss.atS) + options.forcedShutdownAfterMs,
            clock.wallMsAt(lowBatteryAtS),
          ).then(
            () => undefined,
            (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
          );

    // Scanning starts with the outage and goes on until the power is gone, so the scans bracket
    // the moment each key went and see any key that comes back.
    await context.step(
      'scan the host’s memory, sockets and filesystems until the battery runs dry',
      () =>
        scanThroughOutage(context, scanner, secrets, {
          filesFromMs: () => {
            const reported = upsWatch.firstSeen(criticalWords);
            return reported === undefined ? undefined : reported + wipeBoundMs;
          },
          untilMs: exhaustedWallMs,
        }),
    );
    const forcedError = await forced;
    if (forcedError !== undefined) throw forcedError;
    const lowBattery = await context.step(`find when upsd reported ${critical}`, async () => {
      const modelMs = clock.wallMsAt(lowBatteryAtS);
      await waitUntil(() => Promise.resolve(upsWatch.firstSeen(criticalWords)), {
        what: 'upsd, read with upsc from the zone',
        expected: `reporting ${criticalWords.join(' ')}`,
        timeoutMs: Math.max(5_000, modelMs - Date.now() + 20_000),
        intervalMs: 300,
      });
      const written =
        critical === 'LB'
          ? (await ups.statesWritten()).find((w) => w.values['ups.status'] === 'OB LB')?.atMs
          : undefined;
      return { readMs: upsWatch.firstSeen(criticalWords) ?? modelMs, written };
    });
    const powerOffWallMs = await context.step(
      'the battery runs dry: the machine loses power',
      async () => {
        const waitMs = exhaustedWallMs - Date.now();
        if (waitMs > 0) await sleep(waitMs);
        const at = Date.now();
        await powerOffMachine(world, 'rack1');
        return at;
      },
    );
    await context.step('read the host’s UPS polls captured at upsd', () => polls.observe(context));
    const timeline = context.observe<PowerTimeline>('power-timeline', {
      lossWallMs: Math.round(clock.wallMsAt(loss.atS)),
      lowBatteryWallMs: lowBattery.readMs,
      lowBatterySource: `the harness's upsc first read ${criticalWords.join(' ')} from upsd (read every ${upsReadIntervalMs} ms)`,
      criticalStatus: critical,
      ...(lowBattery.written === undefined ? {} : { lowBatteryWrittenWallMs: lowBattery.written }),
      exhaustedWallMs: Math.round(exhaustedWallMs),
      powerOffWallMs,
    });
    return {
      vm,
      bmc,
      ups,
      secrets,
      availability,
      upsWatch,
      restoreMains,
      timeline,
      async finish() {
        await stopPollers();
        await observeResidencyLog(context, vm, 'end');
      },
    };
  } catch (error) {
    // Nothing of the run may keep polling a world that is being torn down.
    await stopPollers();
    throw error;
  } finally {
    await scanner.detach().catch(() => undefined);
  }
}

/**
 * Has upsd set FSD at `wallMs` (a primary monitor's forced shutdown). It must land before LB, or
 * the run would not tell a stack that acts on FSD from one that waits for LB.
 */
async function forceShutdownAt(
  context: ScenarioContext,
  wallMs: number,
  lowBatteryWallMs: number,
): Promise<void> {
  const waitMs = wallMs - Date.now();
  if (waitMs > 0) await sleep(waitMs);
  await context.inject(upsForcedShutdown('rack1'));
  if (Date.now() >= lowBatteryWallMs)
    throw new SovhError(
      'SCENARIO_STEP_FAILED',
      `upsd set FSD only ${Date.now() - lowBatteryWallMs} ms after the UPS reached LB: the run cannot tell a stack that acts on FSD from one that waits for LB`,
    );
}
