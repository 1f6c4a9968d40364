import { setTimeout as sleep } from 'node:timers/promises';
import { awaitServing } from '../../harness/checks/probes/serving-probe.ts';
import { MemoryScanner, type KnownSecret } from '../../harness/checks/probes/memory-scan.ts';
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
  learnDataKeys,
  observeDiskScan,
  observeMemoryScan,
  scanUntilClean,
  UpsWatch,
} from './power-evidence.ts';
import { StoreAvailability } from './store-availability.ts';
import { bootTimeoutMs, observeResidencyLog } from './thermal-evidence.ts';
import { recordCriticalDeadline } from './thermal-schedule.ts';

/** Model seconds per wall-clock second for the outage scenarios. */
export const outageSpeedup = 20;
/**
 * From LB, how long the stack may take until no key is left in memory (and the store stopped).
 * NUT's one-second poll and the wipe take two or three seconds, also on a machine whose two
 * cores run another world at the same time; the bound is five times that, which leaves room for
 * the scans' own resolution (each reads every resident page the host's processes can write).
 */
export const keyWipeBoundMs = 15_000;

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
      options: { battery: { capacityWh: 50, loadW: 600, lowBatteryPercent: 50, lowRuntimeS: 0 } },
    },
    { name: 'kms', kind: 'kms', zone: 'sovereign', cell: 'cell-a' },
    { name: 'hsm', kind: 'hsm', zone: 'sovereign', cell: 'cell-a' },
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

/** Scans of the serving host's memory that may try to see the key before the outage. */
const positiveControlScans = 5;

export const storedObject = {
  id: 'before-outage',
  payload: 'sovereign record written before the power failure',
};

/** What the outage left for a scenario to go on with. */
export interface Outage {
  vm: HostVm;
  bmc: StartedBmc;
  ups: StartedUps;
  secrets: KnownSecret[];
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
export async function runOutage(context: ScenarioContext): Promise<Outage> {
  const { world } = context;
  const vm = world.host('vm1');
  const bmc = machineBmc(world, 'rack1');
  const ups = machineUps(world, 'rack1');
  const availability = new StoreAvailability(context, vm);
  const upsWatch = new UpsWatch(context, ups, 'sovereign');

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
  const secrets = await context.step('learn the data key from outside the stack', () =>
    learnDataKeys(context, vm),
  );
  const stopPollers = async () => {
    await Promise.all(
      [availability.stop(), upsWatch.stop(), bmc.stop(), ups.stop()].map((p) =>
        p.catch(() => undefined),
      ),
    );
  };
  const scanner = await MemoryScanner.attach(world, vm);
  try {
    await context.step('scan the host’s memory while it serves (positive control)', async () => {
      // The key may be out of memory for a moment (the stack drops it while its HSM link is
      // down); the control needs one scan that sees it, and says so when none does.
      for (let attempt = 1; attempt <= positiveControlScans; attempt += 1) {
        const scan = await observeMemoryScan(context, scanner, secrets, 'before-outage');
        if (scan.foundInMemory.length > 0) return;
        await sleep(2_000);
      }
      throw new SovhError(
        'POSITIVE_CONTROL_FAILED',
        `${positiveControlScans} scans of ${vm.name}'s memory did not find the data key the KMS holds for it while it served: a clean scan later would prove nothing`,
      );
    });
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

    // Scanning starts with the outage, so the scans bracket the moment the key went: the last one
    // that found it and the first that did not.
    await context.step(
      'scan the host’s memory through the outage until the key is gone',
      async () => {
        await scanUntilClean(
          context,
          scanner,
          secrets,
          'after-lb',
          clock.wallMsAt(lowBatteryAtS) + keyWipeBoundMs,
        );
      },
    );
    const lowBatteryWallMs = await context.step('find when the UPS reported LB', async () => {
      const modelMs = clock.wallMsAt(lowBatteryAtS);
      await waitUntil(
        async () =>
          (await ups.statesWritten()).some((w) => w.values['ups.status'] === 'OB LB')
            ? true
            : undefined,
        {
          what: 'the UPS',
          expected: 'reporting OB LB',
          timeoutMs: Math.max(5_000, modelMs - Date.now() + 20_000),
          intervalMs: 300,
        },
      );
      return (
        (await ups.statesWritten()).find((w) => w.values['ups.status'] === 'OB LB')?.atMs ?? modelMs
      );
    });
    await context.step('scan the host’s files and disks for the key', async () => {
      await observeMemoryScan(context, scanner, secrets, 'after-wipe', { files: true });
      await observeDiskScan(context, vm, secrets, 'after-wipe');
    });
    const exhaustedWallMs = clock.wallMsAt(exhaustedAtS);
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
    const timeline = context.observe<PowerTimeline>('power-timeline', {
      lossWallMs: Math.round(clock.wallMsAt(loss.atS)),
      lowBatteryWallMs,
      lowBatterySource: 'the UPS feeder wrote OB LB for upsd',
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
