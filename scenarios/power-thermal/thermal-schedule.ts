import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import type { StartedContainer } from '../../harness/runtime/started-container.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import type { StartedBmc } from '../../sims/bmc/bmc.ts';
import { traceCrossing } from '../../sims/bmc/bmc-trace.ts';
import type { SensorKey } from '../../sims/bmc/thermal-model.ts';
import { parseUdpListeners, type UdpListener } from './udp-listeners.ts';
import type {
  CriticalDeadlineObservation,
  CrossingObservation,
  PullEvidence,
  TracedCrossing,
} from './thermal-checks.ts';

/** How far ahead the model is searched for a crossing (model seconds). */
const searchHorizonS = 4 * 3600;

/** Records when, by the model, a sensor passes a threshold after an input change ('thermal-crossing'). */
export function recordCrossing(
  context: ScenarioContext,
  bmc: StartedBmc,
  phase: string,
  sensor: SensorKey,
  thresholdC: number,
  direction: CrossingObservation['direction'],
  change: { modelS: number; wallMs: number },
): CrossingObservation {
  const crossingModelS = bmc.model.firstCrossing(
    sensor,
    thresholdC,
    direction,
    change.modelS,
    change.modelS + searchHorizonS,
  );
  return context.observe('thermal-crossing', {
    phase,
    sensor,
    thresholdC,
    direction,
    change,
    crossingModelS,
    crossingWallMs:
      crossingModelS === undefined ? undefined : Math.round(bmc.runClock.wallMsAt(crossingModelS)),
    speedup: bmc.runClock.speedup,
  });
}

/** Whether a reading equal to the threshold counts as past it: a critical limit acts "at or above". */
export type ThresholdReach = 'past' | 'at-or-past';

/** Far under the traces' 0.1 C resolution: moves a threshold just enough to count a reading at it. */
const atThresholdC = 1e-9;

/**
 * What the last recorded trace the BMC played (fault bmc-trace) showed of a sensor against a
 * threshold: its first reading past it (or at it, with `reach` at-or-past), with the wall times of
 * that reading and the one before. Undefined when no trace played since `sinceWallMs`.
 */
export function playedTraceCrossing(
  bmc: StartedBmc,
  sensor: SensorKey,
  thresholdC: number,
  direction: CrossingObservation['direction'],
  sinceWallMs: number,
  nowMs = Date.now(),
  reach: ThresholdReach = 'past',
): TracedCrossing | undefined {
  const played = bmc.lastPlayedTrace(nowMs);
  if (played === undefined || played.startWallMs < sinceWallMs) return undefined;
  const readings = played.timeline.filter((r) => r.sensor === sensor).map((r) => r.celsius);
  const shiftC = reach === 'past' ? 0 : direction === 'rising' ? -atThresholdC : atThresholdC;
  const found = traceCrossing(played.timeline, sensor, thresholdC + shiftC, direction);
  return {
    startWallMs: played.startWallMs,
    untilWallMs: played.untilWallMs,
    speedup: played.speedup,
    readings: readings.length,
    ...(readings.length === 0
      ? {}
      : { extremeC: direction === 'rising' ? Math.max(...readings) : Math.min(...readings) }),
    ...(found === undefined
      ? {}
      : {
          crossing: {
            wallMs: found.reading.wallMs,
            celsius: found.reading.celsius,
            recordedS: found.reading.recordedS,
            ...(found.previous === undefined ? {} : { previousWallMs: found.previous.wallMs }),
          },
        }),
  };
}

/**
 * Records a crossing over a schedule of faults that ran from `from` until now ('thermal-crossing'):
 * the model's within that time (a model that did not cross has none), and the last recorded trace
 * played in it, read by playedTraceCrossing.
 */
export function recordScheduleCrossing(
  context: ScenarioContext,
  bmc: StartedBmc,
  phase: string,
  sensor: SensorKey,
  thresholdC: number,
  direction: CrossingObservation['direction'],
  from: { modelS: number; wallMs: number },
  reach: ThresholdReach = 'past',
): CrossingObservation {
  const nowMs = Date.now();
  const clock = bmc.runClock;
  const crossingModelS = bmc.model.firstCrossing(
    sensor,
    thresholdC,
    direction,
    from.modelS,
    clock.modelSecondsAt(nowMs),
  );
  const trace = playedTraceCrossing(bmc, sensor, thresholdC, direction, from.wallMs, nowMs, reach);
  return context.observe('thermal-crossing', {
    phase,
    sensor,
    thresholdC,
    direction,
    change: from,
    crossingModelS,
    crossingWallMs:
      crossingModelS === undefined ? undefined : Math.round(clock.wallMsAt(crossingModelS)),
    speedup: clock.speedup,
    ...(trace === undefined ? {} : { trace }),
  });
}

/** Records when, by the model, the hardware reaches its critical temperature ('critical-deadline'). */
export function recordCriticalDeadline(
  context: ScenarioContext,
  bmc: StartedBmc,
  sensor: SensorKey,
  change: { modelS: number; wallMs: number },
): CriticalDeadlineObservation {
  const criticalC = bmc.model.parameters.criticalC[sensor];
  const criticalModelS = bmc.model.firstCrossing(
    sensor,
    criticalC,
    'rising',
    change.modelS,
    change.modelS + searchHorizonS,
  );
  return context.observe('critical-deadline', {
    sensor,
    criticalC,
    change,
    criticalModelS,
    criticalWallMs:
      criticalModelS === undefined ? undefined : Math.round(bmc.runClock.wallMsAt(criticalModelS)),
  });
}

/**
 * Unconnected UDP sockets (listeners) in a network namespace, IPv4 and IPv6 (/proc/net/udp and
 * udp6: a socket bound to `::` takes IPv4 datagrams too and is listed in udp6 only), and where the
 * namespace's ephemeral ports begin (a client's socket, such as the SNMP poller's, is bound there).
 */
export async function udpListenersIn(
  inNamespace: StartedContainer,
): Promise<{ listeners: UdpListener[]; ephemeralPortsFrom: number }> {
  const result = await inNamespace.run([
    'sh',
    '-c',
    'cat /proc/sys/net/ipv4/ip_local_port_range; cat /proc/net/udp /proc/net/udp6 2>/dev/null',
  ]);
  const [range = '', ...table] = result.stdout.split('\n');
  return {
    listeners: parseUdpListeners(table),
    ephemeralPortsFrom: Number(range.trim().split(/\s+/)[0]) || 32_768,
  };
}

/** Records who queried the BMC and what listens in the host's namespace ('pull-evidence'). */
export async function observePullEvidence(
  context: ScenarioContext,
  host: HostVm,
  bmc: StartedBmc,
): Promise<PullEvidence> {
  const [counts, udp] = await Promise.all([
    bmc.requestCounts(host.address),
    // The machine's TPM shares the machine's network namespace: its view of /proc/net is the host's.
    udpListenersIn(host.machine.tpm.container),
  ]);
  return context.observe('pull-evidence', {
    host: host.name,
    hostAddress: host.address,
    bmcAddress: bmc.address,
    counts,
    udpListeners: udp.listeners,
    ephemeralPortsFrom: udp.ephemeralPortsFrom,
  });
}
