import type { History } from '../../harness/scenario/history.ts';
import type { ContractBound } from '../../harness/contract/contract-bounds.ts';
import { boundValue } from '../../harness/scenario/scenario-bounds.ts';
import { lastObservation, MissingEvidence, type Check } from '../../harness/checks/check.ts';
import { fail, verdictOf } from '../../harness/checks/verdict.ts';
import { ipmiCelsius, snmpCelsius } from '../../sims/bmc/bmc-sensors.ts';
import { sensorKeys } from '../../sims/bmc/thermal-model.ts';
import type { CheckedRead, LogLine } from './thermal-evidence.ts';
import { describeListener, pushListeners, type UdpListener } from './udp-listeners.ts';

/**
 * The model's crossing of a threshold after an input change, as the scenario recorded it, and a
 * recorded trace's when one played (fault bmc-trace).
 */
export interface CrossingObservation {
  phase: string;
  sensor: string;
  thresholdC: number;
  direction: 'rising' | 'falling';
  change: { modelS: number; wallMs: number };
  crossingModelS?: number;
  crossingWallMs?: number;
  speedup: number;
  /** The last recorded trace the BMC played since the change, if one did. */
  trace?: TracedCrossing;
}

/** What a played trace showed of a sensor against a threshold (wall times in epoch ms). */
export interface TracedCrossing {
  /** When the trace started, and when it stopped driving the sensors (its heal) or the run's end. */
  startWallMs: number;
  untilWallMs: number;
  /** Recorded seconds per wall second. */
  speedup: number;
  /** The sensor's readings played. */
  readings: number;
  /** The highest (rising) or lowest (falling) of them, if any. */
  extremeC?: number;
  /** The first reading past the threshold, and the wall time of the sensor's reading before it. */
  crossing?: { wallMs: number; celsius: number; recordedS: number; previousWallMs?: number };
}

/** The crossing a check judges: the model's, or else a played trace's. */
interface JudgedCrossing {
  wallMs: number;
  /** The earliest an alarm may come: the sensors are past the threshold from then at the soonest. */
  earliestMs: number;
  /** "the model's inlet passed 27 C" or "the recorded trace's inlet crossed 27 C". */
  what: string;
  evidence: { source: string; excerpt: string };
  /** Turns a wall delay into the crossing's own time: model or recorded seconds. */
  scaled(delayMs: number): string;
}

/** The model's crossing when it crossed; else the played trace's; MissingEvidence when neither did. */
function judgedCrossing(crossing: CrossingObservation): JudgedCrossing {
  const { sensor, thresholdC } = crossing;
  const passed = crossing.direction === 'rising' ? 'passed' : 'fell under';
  if (crossing.crossingWallMs !== undefined) {
    const speedup = crossing.speedup;
    return {
      wallMs: crossing.crossingWallMs,
      earliestMs: crossing.crossingWallMs - earlyToleranceMs,
      what: `the model's ${sensor} ${passed} ${thresholdC} C`,
      evidence: {
        source: 'thermal model (harness)',
        excerpt: `${sensor} passes ${thresholdC} C at model ${crossing.crossingModelS?.toFixed(1) ?? '?'} s = ${new Date(crossing.crossingWallMs).toISOString()} (x${speedup})`,
      },
      scaled: (ms) => `${((ms / 1_000) * speedup).toFixed(0)} model s`,
    };
  }
  const trace = crossing.trace;
  if (trace === undefined)
    throw new MissingEvidence(
      'thermal-crossing',
      `the model never passed ${thresholdC} C and no recorded trace played`,
    );
  const played = `it played ${new Date(trace.startWallMs).toISOString()} to ${new Date(trace.untilWallMs).toISOString()}`;
  if (trace.crossing === undefined)
    throw new MissingEvidence(
      'thermal-crossing',
      trace.readings === 0
        ? `the model never passed ${thresholdC} C, and the recorded trace played no ${sensor} reading (${played}): no crossing to judge the alarm by`
        : `the model never passed ${thresholdC} C, and the recorded trace's ${sensor} never ${crossing.direction === 'rising' ? 'rose above' : 'fell under'} it (${played}, ${trace.readings} reading(s), ${crossing.direction === 'rising' ? 'highest' : 'lowest'} ${String(trace.extremeC)} C): no crossing to judge the alarm by`,
    );
  const { wallMs, celsius, recordedS, previousWallMs } = trace.crossing;
  const at = new Date(wallMs).toISOString();
  return {
    wallMs,
    // Between its reading before and this one the BMC ramps linearly: the sensor passes the
    // threshold somewhere in between.
    earliestMs: Math.min(wallMs - earlyToleranceMs, previousWallMs ?? wallMs),
    what: `the recorded trace's ${sensor} ${crossing.direction === 'rising' ? 'crossed' : 'fell under'} ${thresholdC} C at ${at}`,
    evidence: {
      source: 'recorded BMC trace (fault bmc-trace), as played',
      excerpt: `${sensor} reads ${celsius} C at recorded ${recordedS} s = ${at} (x${trace.speedup}), its first reading ${crossing.direction === 'rising' ? 'above' : 'under'} ${thresholdC} C; the reading before it at ${previousWallMs === undefined ? '(none)' : new Date(previousWallMs).toISOString()}`,
    },
    scaled: (ms) => `${((ms / 1_000) * trace.speedup).toFixed(0)} recorded s`,
  };
}

/** The time, by the model, at which the hardware reaches its critical temperature. */
export interface CriticalDeadlineObservation {
  sensor: string;
  criticalC: number;
  change: { modelS: number; wallMs: number };
  criticalModelS?: number;
  criticalWallMs?: number;
}

export interface PullEvidence {
  host: string;
  hostAddress: string;
  bmcAddress: string;
  counts: { snmp: number; ipmi: number };
  /** Listening UDP sockets in the host's network namespace (/proc/net/udp, udp6). */
  udpListeners: UdpListener[];
  /** The first of the namespace's ephemeral ports (ip_local_port_range). */
  ephemeralPortsFrom: number;
}

/** An alarm may be this much earlier than the model's crossing: the sensors' 0.1 C step. */
const earlyToleranceMs = 1_000;

export function logLines(history: Parameters<Check['verify']>[0]): LogLine[] {
  return lastObservation<{ lines: LogLine[] }>(history, 'residency-log').data.lines;
}

/** The check that the stack alarms when the inlet (the model's, or a recorded trace's) passes 27 C on its way up. */
export function alarmAbove27(bound: ContractBound): Check {
  return alarmWithinBound(
    'alarm-above-27',
    `The stack raises THERMAL_ALARM (high) within ${String(bound.contract)} ms (contract) of the inlet passing 27 C (the model's, or a recorded trace's when one played)`,
    'above-27',
    'high',
    bound,
  );
}

/** The check that the stack alarms when the inlet (the model's, or a recorded trace's) falls under 18 C. */
export function alarmBelow18(bound: ContractBound): Check {
  return alarmWithinBound(
    'alarm-below-18',
    `The stack raises THERMAL_ALARM (low) within ${String(bound.contract)} ms (contract) of the inlet falling under 18 C (the model's, or a recorded trace's when one played)`,
    'below-18',
    'low',
    bound,
  );
}

/** The residency-log line a check waits for after a crossing: an alarm of one side, or its clear. */
interface ThermalEvent {
  /** "high alarm", "low alarm", "alarm clear". */
  what: string;
  pattern(sensor: string): RegExp;
  /** The verb of its summary: "alarm raised", "alarm cleared". */
  done: string;
  /** The alarm it ends, which must stand before the crossing: without it there is nothing to judge. */
  ends?: ThermalEvent;
}

function alarmEvent(side: 'high' | 'low'): ThermalEvent {
  return {
    what: `${side} alarm`,
    pattern: (sensor) => new RegExp(`THERMAL_ALARM sensor=${sensor} .*side=${side}`),
    done: 'alarm raised',
  };
}

const clearEvent: ThermalEvent = {
  what: 'alarm clear',
  pattern: (sensor) => new RegExp(`THERMAL_ALARM_CLEARED sensor=${sensor} `),
  done: 'alarm cleared',
  ends: alarmEvent('high'),
};

/**
 * The stack raises its alarm within the bound of the crossing (and not before it): the model's,
 * or, when the model did not cross, a played trace's first reading past the threshold. A trace
 * that never crosses leaves the check unknown.
 */
export function alarmWithinBound(
  name: string,
  description: string,
  phase: string,
  side: 'high' | 'low',
  bound: ContractBound,
): Check {
  return eventWithinBound(name, description, phase, alarmEvent(side), bound);
}

/** The check that the stack clears the inlet's high alarm when the model's inlet falls back under 27 C. */
export function alarmClearedUnder27(bound: ContractBound): Check {
  return eventWithinBound(
    'alarm-cleared-back-in-range',
    `The stack logs THERMAL_ALARM_CLEARED within ${String(bound.contract)} ms (contract) of the inlet falling back under 27 C after its high alarm (an alarm that stands once the room is back in range is one operators learn to ignore)`,
    'back-under-27',
    clearEvent,
    bound,
  );
}

/** A residency-log event within the bound of a crossing, and not before it (see alarmWithinBound). */
function eventWithinBound(
  name: string,
  description: string,
  phase: string,
  event: ThermalEvent,
  bound: ContractBound,
): Check {
  return {
    name,
    description,
    verify(history) {
      const boundMs = boundValue(history, bound);
      const crossing = lastObservation<CrossingObservation>(
        history,
        'thermal-crossing',
        (d) => d.phase === phase,
      ).data;
      const judged = judgedCrossing(crossing);
      const lines = logLines(history);
      const ended = event.ends;
      if (ended !== undefined) {
        const raised = ended.pattern(crossing.sensor);
        if (!lines.some((l) => l.atMs <= judged.wallMs && raised.test(l.text)))
          return {
            status: 'unknown',
            summary: `no ${ended.what} stood before ${judged.what}: there was nothing to clear (the alarm's own check judges its absence)`,
          };
      }
      const pattern = event.pattern(crossing.sensor);
      const line = lines.find(
        (l) =>
          l.atMs >= Math.min(crossing.change.wallMs - earlyToleranceMs, judged.earliestMs) &&
          pattern.test(l.text),
      );
      const evidence = [
        judged.evidence,
        {
          source: 'residency.log on the VM disk',
          excerpt: line?.text ?? `(no ${event.what} line)`,
        },
      ];
      const earlyMs = judged.wallMs - judged.earliestMs;
      const expected = `a ${event.what} line between ${earlyMs} ms before and ${boundMs} ms after the crossing`;
      if (line === undefined)
        return fail(`no ${event.what} after ${judged.what}`, {
          expected,
          observed: 'none',
          evidence,
        });
      const delayMs = line.atMs - judged.wallMs;
      return verdictOf(
        delayMs >= -earlyMs && delayMs <= boundMs,
        `${event.done} ${delayMs} ms (${judged.scaled(delayMs)}) after ${judged.what}`,
        delayMs < -earlyMs
          ? `${event.done} ${-delayMs} ms before ${judged.what}`
          : `${event.done} ${delayMs} ms (${judged.scaled(delayMs)}) after ${judged.what}, beyond ${boundMs} ms`,
        { expected, observed: `${delayMs} ms`, evidence },
      );
    },
  };
}

/**
 * Every read over IPMI and SNMP equals what the BMC published in its window, at the protocol's
 * resolution: the model's values, and for the sensors a recorded trace drove (fault bmc-trace) in
 * that window, the trace's values as played.
 */
export function readingsAgreeWithModel(
  name: string,
  description: string,
  minimumReads: number,
): Check {
  return {
    name,
    description,
    verify(history) {
      const reads = history.observations<CheckedRead>('bmc-read').map((e) => e.data);
      const perProtocol = (p: string) => reads.filter((r) => r.protocol === p).length;
      if (perProtocol('ipmi') < minimumReads || perProtocol('snmp') < minimumReads) {
        throw new MissingEvidence(
          'bmc-read',
          `${perProtocol('ipmi')} IPMI and ${perProtocol('snmp')} SNMP reads, ${minimumReads} of each needed`,
        );
      }
      const problems: string[] = [];
      const traced = new Set<string>();
      let tracedReads = 0;
      for (const read of reads) {
        if (!read.ok || read.readings === undefined) {
          problems.push(
            `${read.protocol} read at ${new Date(read.startedAtMs).toISOString()} failed: ${read.output.slice(0, 120)}`,
          );
          continue;
        }
        if ((read.traced ?? []).length > 0) tracedReads += 1;
        const convert = read.protocol === 'ipmi' ? ipmiCelsius : snmpCelsius;
        for (const key of sensorKeys) {
          const value = read.readings[key];
          const fromTrace = read.traced?.includes(key) ?? false;
          if (fromTrace) traced.add(key);
          const low = convert(read.expected[key].min) - 1e-6;
          const high = convert(read.expected[key].max) + 1e-6;
          if (value < low || value > high) {
            problems.push(
              `${read.protocol} ${key} ${value} C at ${new Date(read.startedAtMs).toISOString()}, ${fromTrace ? 'the recorded trace played' : 'model published'} ${low.toFixed(2)}..${high.toFixed(2)} C`,
            );
          }
        }
      }
      const summary = `${reads.length} reads (${perProtocol('ipmi')} IPMI, ${perProtocol('snmp')} SNMP)`;
      const ofTrace =
        traced.size === 0
          ? ''
          : `, and ${[...traced].join(' and ')} the recorded trace's values while it drove them (${tracedReads} reads)`;
      return verdictOf(
        problems.length === 0,
        `${summary} all equal the model's values${ofTrace}`,
        `${problems.length} of ${summary} disagree with the ${traced.size === 0 ? 'model' : 'model or the recorded trace'}`,
        {
          expected: `every reading within the model's published values over its window${traced.size === 0 ? '' : " (the recorded trace's for the sensors it drove then)"}, at 0.5 C (IPMI) and 0.1 C (SNMP)`,
          observed: problems.slice(0, 5).join('; ') || 'all agree',
          evidence: reads
            .slice(-4)
            .map((r) => ({ source: r.command, excerpt: r.output.replace(/\n/g, ' | ') })),
        },
      );
    },
  };
}

/** thermal-excursion's ipmi-snmp-agree-with-model: at least five reads over each protocol. */
export function ipmiSnmpAgree(): Check {
  return readingsAgreeWithModel(
    'ipmi-snmp-agree-with-model',
    "Every IPMI and SNMP read of the BMC by the harness equals the thermal model at the protocol's resolution (for the sensors a recorded trace drove, the trace's values as played)",
    5,
  );
}

/** The host pulled its readings (requests counted at the BMC) and listens for no push (no trap port). */
export function readingsPulledByHost(name: string): Check {
  return {
    name,
    description:
      'The host pulls its temperatures from the BMC (requests counted at the BMC) and nothing in it listens for a pushed trap: no UDP socket, IPv4 or IPv6, open to the network below the ephemeral ports (162, snmptrapd\u2019s unprivileged 1162, or any other)',
    verify(history) {
      const o = lastObservation<PullEvidence>(history, 'pull-evidence').data;
      const pulled = o.counts.snmp + o.counts.ipmi > 0;
      const push = pushListeners(o.udpListeners, o.ephemeralPortsFrom);
      const problems = [
        ...(pulled ? [] : [`the BMC counted no request from ${o.hostAddress}`]),
        ...(push.length > 0
          ? [`the host listens for pushed datagrams on ${push.map(describeListener).join(', ')}`]
          : []),
      ];
      return verdictOf(
        problems.length === 0,
        `${o.counts.snmp} SNMP and ${o.counts.ipmi} IPMI packets from the host reached the BMC; no UDP listener open to a push`,
        problems.join('; '),
        {
          expected: `requests from the host at the BMC; no UDP listener open to the network below port ${String(o.ephemeralPortsFrom)} in the host`,
          observed: `snmp ${o.counts.snmp}, ipmi ${o.counts.ipmi}; UDP listeners: ${o.udpListeners.map(describeListener).join(', ') || 'none'}`,
          evidence: [
            {
              source: `iptables counters in the BMC ${o.bmcAddress}`,
              excerpt: JSON.stringify(o.counts),
            },
            {
              source: "/proc/net/udp and udp6 in the host's network namespace",
              excerpt:
                o.udpListeners.map((l) => `${l.address}:${String(l.port)}`).join(', ') || 'none',
            },
          ],
        },
      );
    },
  };
}

/** The model's critical deadline; MissingEvidence when the model never got there. */
export function criticalDeadlineReached(
  history: History,
): CriticalDeadlineObservation & { criticalWallMs: number } {
  const deadline = lastObservation<CriticalDeadlineObservation>(history, 'critical-deadline').data;
  const { criticalWallMs } = deadline;
  if (criticalWallMs === undefined)
    throw new MissingEvidence(
      'critical-deadline',
      `the model never reached ${String(deadline.criticalC)} C`,
    );
  return { ...deadline, criticalWallMs };
}
