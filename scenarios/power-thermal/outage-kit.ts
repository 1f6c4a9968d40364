import { parameter } from '../../harness/faults/fault-parameters.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { formatDuration } from '../../harness/util/duration.ts';
import { describeError, SovhError } from '../../harness/util/sovh-error.ts';
import type { EvidenceKit, FaultMoment, KitWatch, PlannedFault } from '../incident/evidence-kit.ts';
import {
  awaitLowBattery,
  finishOutage,
  observeTimeline,
  outageTimes,
  scanOutage,
  watchForOutage,
  type WatchedOutage,
} from './outage-watch.ts';
import { keyWipeBound } from './power-bounds.ts';

/** Faults after which the watched host no longer runs where the scanner joined it. */
function stopsHost(fault: PlannedFault, watched: WatchedOutage): boolean {
  const p = fault.parameters;
  const machine = watched.machine;
  switch (fault.type) {
    case 'machine-power-off':
    case 'boot-chain-change':
    case 'primary-key-replacement':
      return p['machine'] === machine;
    case 'vm-migration':
    case 'crypto-policy-cap':
    case 'stale-resolv-conf':
      return p['host'] === watched.vm.name;
    default:
      return false;
  }
}

/** When the machine lost power, from the history's record of the registry's fault, if it did. */
function powerOffAt(context: ScenarioContext, machine: string): number | undefined {
  const event = context.history.events.find((e) => {
    const data = e.data as { type?: string; parameters?: { machine?: string } } | undefined;
    return (
      e.kind === 'fault' &&
      data?.type === 'machine-power-off' &&
      data.parameters?.machine === machine
    );
  });
  return event === undefined ? undefined : Date.parse(event.at);
}

class OutageWatch implements KitWatch {
  private stopped = false;
  private scanning: Promise<void> | undefined;

  constructor(
    private readonly context: ScenarioContext,
    private readonly watched: WatchedOutage,
  ) {}

  during(): Promise<void> {
    // Scans from the start of the schedule until the host is about to go (or the schedule ends:
    // the run's own schedule step bounds it); a scan across the power-off would fail.
    this.scanning = scanOutage(this.context, this.watched, Number.POSITIVE_INFINITY, {
      stopped: () => this.stopped,
    });
    return this.scanning;
  }

  async at(moment: FaultMoment, fault: PlannedFault): Promise<void> {
    if (moment !== 'before-fault' || !stopsHost(fault, this.watched)) return;
    await this.stopScanning();
    await this.watched.detachScanner();
  }

  private async stopScanning(): Promise<void> {
    this.stopped = true;
    await this.scanning;
  }

  async finish(): Promise<void> {
    await this.stopScanning();
    await this.watched.detachScanner();
    const { context, watched } = this;
    const times = outageTimes(context, watched);
    let lowBattery;
    try {
      lowBattery = await awaitLowBattery(
        context,
        watched,
        times.lowBatteryModelWallMs,
        Math.max(3_000, times.lowBatteryModelWallMs - Date.now() + 5_000),
      );
    } catch (error) {
      throw new SovhError(
        'INCIDENT_NO_LOW_BATTERY',
        `the UPS ${watched.ups.name} never reported LB during the schedule (${describeError(error)}): the key-wipe checks judge from LB, which comes ${formatDuration(times.lowBatteryModelWallMs - times.lossWallMs)} after the UPS went on battery here; keep the mains failure (or the trace) in force and the schedule running at least that long`,
      );
    }
    observeTimeline(
      context,
      { ...times, powerOffWallMs: powerOffAt(context, watched.machine) },
      lowBattery,
    );
    await finishOutage(context, watched);
  }

  abort(): Promise<void> {
    this.stopped = true;
    return this.watched.stop();
  }
}

/**
 * The power-failure evidence of power-failure-key-wipe, around any schedule: a host serves with
 * its keys in memory (the positive control), its UPS and thermal models run (or a recorded UPS
 * trace plays), the harness scans
 * its memory, sockets and filesystems from the start of the schedule until it loses power, and
 * the outage's timeline (mains failure, LB, battery dry, power off) is recorded after it.
 */
export const powerOutageKit: EvidenceKit = {
  name: 'power-outage',
  description:
    "scans a host's memory, sockets and filesystems for its keys through a mains failure, with the UPS's LB and the thermal model's critical point",
  needs: ['cap:SYS_PTRACE'],
  sections: ['power', 'kms', 'hsm'],
  contractBounds: [keyWipeBound],
  parameters: {
    host: parameter.node(
      'host',
      'the host whose keys are scanned (its machine needs a UPS and a BMC)',
    ),
  },
  planProblems(plan) {
    const problems: string[] = [];
    if (!plan.faults.some((f) => f.type === 'mains-failure' || f.type === 'ups-trace'))
      problems.push(
        'the key-wipe checks judge a mains failure or a recorded UPS outage: add one to the schedule, e.g. `- at: 1s` with `fault: mains-failure`, or `fault: ups-trace` with a trace that goes on battery and reaches LB',
      );
    return problems;
  },
  async start(context, values) {
    const watched = await watchForOutage(context, String(values['host']));
    return new OutageWatch(context, watched);
  },
};
