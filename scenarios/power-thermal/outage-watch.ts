import { setTimeout as sleep } from 'node:timers/promises';
import {
  MemoryScanner,
  type KnownSecret,
  type MemoryScan,
} from '../../harness/checks/probes/memory-scan.ts';
import { runStackOperation } from '../../harness/checks/probes/stack-operation.ts';
import { storeRoundTrip } from '../../harness/checks/probes/store-probe.ts';
import { stackOperations } from '../../harness/contract/stack-operations.ts';
import { storePort } from '../../harness/contract/site-file.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { boundValue } from '../../harness/scenario/scenario-bounds.ts';
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
import { keyWipeBound } from './power-bounds.ts';
import { serveAndWriteRecord, StoreAvailability } from './store-availability.ts';
import { bootTimeoutMs, observeResidencyLog } from './thermal-evidence.ts';
import { recordCriticalDeadline } from './thermal-schedule.ts';
import { UpsPollCapture } from './ups-poll-capture.ts';
import { plantFileCanary } from './file-canary.ts';
import { awaitRelay } from '../sovereign-envelope/sovereign-envelope-evidence.ts';

/**
 * The UPS status that orders the shutdown: LB (the battery is low) or FSD (a primary monitor's
 * forced shutdown, set while the UPS is on battery, before LB).
 */
export type CriticalStatus = 'LB' | 'FSD';

/** The words of upsd's ups.status that mean `critical` has come. */
export function criticalWords(critical: CriticalStatus): string[] {
  return critical === 'LB' ? ['OB', 'LB'] : ['FSD'];
}

/** Model seconds per wall-clock second for the outage scenarios. */
export const outageSpeedup = 20;

/** How often the harness reads the UPS through the outage (upsc from the zone). */
const upsReadIntervalMs = 250;

/** Scans of the serving host's memory that may try to see the keys before the outage. */
const positiveControlScans = 5;

export const storedObject = {
  id: 'before-outage',
  payload: 'sovereign record written before the power failure',
};

/** The object the host seals as an envelope and delivers to its own relay before the outage. */
const envelopeObject = {
  id: 'envelope-before-outage',
  payload: 'sovereign record sealed and opened before the power failure',
};

/**
 * Runs the zone key's own paths before the scans: the host seals an object under the zone key and
 * delivers it to its own relay, which opens it. A stack that copies the key on its first seal or
 * open ("one vault lookup per key") holds that copy from then on, where the wipe must reach it;
 * with no envelope ever sealed the copy would not exist when the scans look. A host whose site
 * names no envelope key service holds no zone key: nothing to run.
 */
async function exerciseZoneKey(context: ScenarioContext, vm: HostVm): Promise<void> {
  if ((JSON.parse(vm.siteFile) as { envelope?: unknown }).envelope === undefined) return;
  const write = await storeRoundTrip(
    context.world.observer(vm.machine.spec.zone),
    vm.address,
    storePort,
    envelopeObject.id,
    envelopeObject.payload,
  );
  await awaitRelay(context, vm);
  const send = await runStackOperation(
    vm,
    stackOperations.sendEnvelope,
    envelopeObject.id,
    vm.address,
  );
  context.observe('envelope-self-send', { write, send });
  if (!write.ok || send.exitCode !== 0)
    throw new SovhError(
      'SCENARIO_STEP_FAILED',
      `the host did not seal and open an envelope of its own: ${write.ok ? send.output : write.detail}`,
    );
}

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

/**
 * A host watched through a power failure, before any fault: it serves with its keys in memory
 * (seen by the scans: the positive control), the harness knows every key, and the UPS and
 * thermal models run on one clock with the pollers reading them. Whatever breaks the power next
 * (the built-in outage schedule, or an incident file's) is judged from these.
 */
export interface WatchedOutage {
  vm: HostVm;
  /** The host's machine, by name (a host that lost power no longer says where it ran). */
  machine: string;
  bmc: StartedBmc;
  ups: StartedUps;
  secrets: LearntSecret[];
  /** The harness's canary in the host's files: what the file scans must find (file-canary.ts). */
  canary: KnownSecret;
  availability: StoreAvailability;
  upsWatch: UpsWatch;
  /** The host's status polls as upsd saw them, for the poll-interval check. */
  polls: UpsPollCapture;
  scanner: MemoryScanner;
  /** Removes the scanner and the canary's holder (once). */
  detachScanner(): Promise<void>;
  /** Stops every poller (what they saw is recorded) and detaches the scanner. */
  stop(): Promise<void>;
}

/** Boots and watches `hostName` (its machine needs a BMC and a UPS) up to the power failure. */
export async function watchForOutage(
  context: ScenarioContext,
  hostName: string,
): Promise<WatchedOutage> {
  const { world } = context;
  const vm = world.host(hostName);
  const machine = vm.machine.name;
  const zone = vm.machine.spec.zone;
  const bmc = machineBmc(world, machine);
  const ups = machineUps(world, machine);
  const availability = new StoreAvailability(context, vm, undefined, storedObject);
  // LB is when upsd reports it, as the harness's own upsc reads it: as often as this, so that
  // the bound of two monitor polls is measured from no later than a quarter of one.
  const upsWatch = new UpsWatch(context, ups, zone, upsReadIntervalMs);

  await context.step('boot, serve and write a record', () =>
    serveAndWriteRecord(context, vm, storedObject, bootTimeoutMs),
  );
  await context.step('seal an envelope on the host and open it there', () =>
    exerciseZoneKey(context, vm),
  );
  const secrets = await context.step('learn every key of the host from outside the stack', () =>
    learnSecrets(context, vm),
  );
  const ports = sovereignPortsOf(context, vm).ports;
  const planted = await context.step('plant the harness’s file canary in the host', () =>
    plantFileCanary(context, vm),
  );
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
  let detached: Promise<void> | undefined;
  // The scanner and the canary's holder join the host's processes: they go before the host is
  // powered off.
  const detachScanner = () =>
    (detached ??= Promise.allSettled([scanner.detach(), planted.release()]).then(() => undefined));
  const stop = async () => {
    await stopPollers();
    await detachScanner();
  };
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
  } catch (error) {
    // Nothing of the run may keep polling a world that is being torn down.
    await stop();
    throw error;
  }
  return {
    vm,
    machine,
    bmc,
    ups,
    secrets,
    canary: planted.secret,
    availability,
    upsWatch,
    polls,
    scanner,
    detachScanner,
    stop,
  };
}

/**
 * The outage the UPS reported: the mains failure as its model lived it (its last power loss),
 * from which it records the thermal model's critical deadline, and gives when the battery reaches
 * LB and runs dry. When a recorded trace (fault ups-trace) played an outage after the model's
 * last loss, or without one, the trace's first OB, its first LB and its end are the times
 * instead: a real site's log, replayed. The room's cooling did not fail then (the trace drives the
 * UPS, not the thermal model), so no critical deadline is recorded, and the thermal check stays
 * unknown rather than judged against a failure that did not happen.
 */
export function outageTimes(
  context: ScenarioContext,
  watched: WatchedOutage,
): { lossWallMs: number; lowBatteryModelWallMs: number; exhaustedWallMs: number } {
  const { ups, bmc } = watched;
  const clock = ups.runClock;
  const loss = ups.model.schedule.findLast((e) => e.kind === 'power-loss');
  const traced = ups.replayedOutage();
  if (traced !== undefined && (loss === undefined || traced.onBatteryAtS > loss.atS))
    return {
      lossWallMs: Math.round(clock.wallMsAt(traced.onBatteryAtS)),
      lowBatteryModelWallMs: clock.wallMsAt(traced.lowBatteryAtS),
      exhaustedWallMs: clock.wallMsAt(traced.endAtS),
    };
  if (loss === undefined)
    throw new SovhError(
      'SCENARIO_STEP_FAILED',
      `the mains feeding ${ups.name} never failed: the power checks judge a mains failure (fault mains-failure) or a recorded UPS trace that goes on battery and reaches LB (fault ups-trace)`,
    );
  const { lowBatteryAtS, exhaustedAtS } = ups.dischargeTimes();
  recordCriticalDeadline(context, bmc, 'cpu', {
    modelS: loss.atS,
    wallMs: clock.wallMsAt(loss.atS),
  });
  return {
    lossWallMs: Math.round(clock.wallMsAt(loss.atS)),
    lowBatteryModelWallMs: clock.wallMsAt(lowBatteryAtS),
    exhaustedWallMs: clock.wallMsAt(exhaustedAtS),
  };
}

/**
 * Scans the host's memory, sockets and filesystems from now until `untilMs`, so the scans bracket
 * the moment each key went and see any key that comes back.
 */
export function scanOutage(
  context: ScenarioContext,
  watched: WatchedOutage,
  untilMs: number,
  options: {
    stopped?: () => boolean;
    critical?: CriticalStatus;
    /** When the UPS model will report the critical status, when the schedule knows it. */
    criticalDueMs?: number;
  } = {},
): Promise<void> {
  const { stopped, critical = 'LB', criticalDueMs } = options;
  const wipeBoundMs = boundValue(context.history, keyWipeBound);
  return context.step(
    'scan the host’s memory, sockets and filesystems until the battery runs dry',
    () =>
      scanThroughOutage(context, watched.scanner, [...watched.secrets, watched.canary], {
        filesFromMs: () => {
          const reported = watched.upsWatch.firstSeen(criticalWords(critical));
          return reported === undefined ? undefined : reported + wipeBoundMs;
        },
        focusFromMs: () => watched.upsWatch.firstSeen(criticalWords(critical)),
        untilMs,
        ...(stopped === undefined ? {} : { stopped }),
        // Back-to-back passes from 2 s before the model's critical status, so that the
        // harness's own reading of it (every 500 ms) can lag without the scans falling behind.
        ...(criticalDueMs === undefined ? {} : { quietUntilMs: criticalDueMs - 2_000 }),
      }),
  );
}

/**
 * When upsd reported `critical` (LB by default) as the harness read it (and, for LB, when the
 * simulator wrote it), waiting up to `timeoutMs`.
 */
export function awaitLowBattery(
  context: ScenarioContext,
  watched: WatchedOutage,
  modelWallMs: number,
  timeoutMs: number,
  critical: CriticalStatus = 'LB',
): Promise<{ readMs: number; written?: number }> {
  const { upsWatch, ups } = watched;
  const words = criticalWords(critical);
  return context.step(`find when upsd reported ${critical}`, async () => {
    await waitUntil(() => Promise.resolve(upsWatch.firstSeen(words)), {
      what: 'upsd, read with upsc from the zone',
      expected: `reporting ${words.join(' ')}`,
      timeoutMs,
      intervalMs: 300,
    });
    // The first state written with both words (a trace may report "OB DISCHRG LB").
    const written =
      critical === 'LB'
        ? (await ups.statesWritten()).find((w) => {
            const status = (w.values['ups.status'] ?? '').split(/\s+/);
            return words.every((word) => status.includes(word));
          })?.atMs
        : undefined;
    return { readMs: upsWatch.firstSeen(words) ?? modelWallMs, written };
  });
}

/** Records the outage's timeline ('power-timeline'), which the power checks judge from. */
export function observeTimeline(
  context: ScenarioContext,
  times: { lossWallMs: number; exhaustedWallMs: number; powerOffWallMs?: number },
  lowBattery: { readMs: number; written?: number },
  critical: CriticalStatus = 'LB',
): PowerTimeline {
  return context.observe<PowerTimeline>('power-timeline', {
    lossWallMs: times.lossWallMs,
    lowBatteryWallMs: lowBattery.readMs,
    lowBatterySource: `the harness's upsc first read ${criticalWords(critical).join(' ')} from upsd (read every ${upsReadIntervalMs} ms)`,
    criticalStatus: critical,
    ...(lowBattery.written === undefined ? {} : { lowBatteryWrittenWallMs: lowBattery.written }),
    exhaustedWallMs: Math.round(times.exhaustedWallMs),
    ...(times.powerOffWallMs === undefined ? {} : { powerOffWallMs: times.powerOffWallMs }),
  });
}

/** Records the host's UPS polls captured at upsd, stops the watch and records the stack's log. */
export async function finishOutage(
  context: ScenarioContext,
  watched: WatchedOutage,
): Promise<void> {
  await context.step('read the host’s UPS polls captured at upsd', () =>
    watched.polls.observe(context),
  );
  await watched.stop();
  await observeResidencyLog(context, watched.vm, 'end');
}
