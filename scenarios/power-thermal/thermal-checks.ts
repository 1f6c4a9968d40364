import type { History } from '../../harness/scenario/history.ts';
import type { ContractBound } from '../../harness/contract/contract-bounds.ts';
import { boundValue } from '../../harness/scenario/scenario-bounds.ts';
import { lastObservation, MissingEvidence, type Check } from '../../harness/checks/check.ts';
import { fail, pass, verdictOf } from '../../harness/checks/verdict.ts';
import { ipmiCelsius, snmpCelsius } from '../../sims/bmc/bmc-sensors.ts';
import { sensorKeys } from '../../sims/bmc/thermal-model.ts';
import { stoppedServingBy, type AvailabilityProbe } from './store-availability.ts';
import type { CheckedRead, LogLine } from './thermal-evidence.ts';

/** The model's crossing of a threshold after an input change, as the scenario recorded it. */
export interface CrossingObservation {
  phase: string;
  sensor: string;
  thresholdC: number;
  direction: 'rising' | 'falling';
  change: { modelS: number; wallMs: number };
  crossingModelS?: number;
  crossingWallMs?: number;
  speedup: number;
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
  /** UDP ports with a listening socket in the host's network namespace (/proc/net/udp). */
  udpListeningPorts: number[];
}

/** An alarm may be this much earlier than the model's crossing: the sensors' 0.1 C step. */
const earlyToleranceMs = 1_000;

function logLines(history: Parameters<Check['verify']>[0]): LogLine[] {
  return lastObservation<{ lines: LogLine[] }>(history, 'residency-log').data.lines;
}

/** The check that the stack alarms when the model's inlet passes 27 C on its way up. */
export function alarmAbove27(bound: ContractBound): Check {
  return alarmWithinBound(
    'alarm-above-27',
    `The stack raises THERMAL_ALARM (high) within ${String(bound.contract)} ms (contract) of the model's inlet passing 27 C`,
    'above-27',
    'high',
    bound,
  );
}

/** The stack raises its alarm within the bound of the model's crossing (and not before it). */
export function alarmWithinBound(
  name: string,
  description: string,
  phase: string,
  side: 'high' | 'low',
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
      if (crossing.crossingWallMs === undefined)
        throw new MissingEvidence(
          'thermal-crossing',
          `the model never passed ${crossing.thresholdC} C`,
        );
      const pattern = new RegExp(`THERMAL_ALARM sensor=${crossing.sensor} .*side=${side}`);
      const alarm = logLines(history).find(
        (l) => l.atMs >= crossing.change.wallMs - earlyToleranceMs && pattern.test(l.text),
      );
      const evidence = [
        {
          source: 'thermal model (harness)',
          excerpt: `${crossing.sensor} passes ${crossing.thresholdC} C at model ${crossing.crossingModelS?.toFixed(1) ?? '?'} s = ${new Date(crossing.crossingWallMs).toISOString()} (x${crossing.speedup})`,
        },
        { source: 'residency.log on the VM disk', excerpt: alarm?.text ?? '(no alarm line)' },
      ];
      const expected = `a THERMAL_ALARM (${side}) between ${earlyToleranceMs} ms before and ${boundMs} ms after the crossing`;
      if (alarm === undefined)
        return fail(`no ${side} alarm after the inlet passed ${crossing.thresholdC} C`, {
          expected,
          observed: 'none',
          evidence,
        });
      const delayMs = alarm.atMs - crossing.crossingWallMs;
      const modelS = ((delayMs / 1_000) * crossing.speedup).toFixed(0);
      return verdictOf(
        delayMs >= -earlyToleranceMs && delayMs <= boundMs,
        `alarm raised ${delayMs} ms (${modelS} model s) after the crossing`,
        delayMs < 0
          ? `alarm raised ${-delayMs} ms before the model crossed`
          : `alarm raised ${delayMs} ms (${modelS} model s) after the crossing, beyond ${boundMs} ms`,
        { expected, observed: `${delayMs} ms`, evidence },
      );
    },
  };
}

/** Every read over IPMI and SNMP equals what the model published in its window, at the protocol's resolution. */
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
      for (const read of reads) {
        if (!read.ok || read.readings === undefined) {
          problems.push(
            `${read.protocol} read at ${new Date(read.startedAtMs).toISOString()} failed: ${read.output.slice(0, 120)}`,
          );
          continue;
        }
        const convert = read.protocol === 'ipmi' ? ipmiCelsius : snmpCelsius;
        for (const key of sensorKeys) {
          const value = read.readings[key];
          const low = convert(read.expected[key].min) - 1e-6;
          const high = convert(read.expected[key].max) + 1e-6;
          if (value < low || value > high) {
            problems.push(
              `${read.protocol} ${key} ${value} C at ${new Date(read.startedAtMs).toISOString()}, model published ${low.toFixed(2)}..${high.toFixed(2)} C`,
            );
          }
        }
      }
      const summary = `${reads.length} reads (${perProtocol('ipmi')} IPMI, ${perProtocol('snmp')} SNMP)`;
      return verdictOf(
        problems.length === 0,
        `${summary} all equal the model's values`,
        `${problems.length} of ${summary} disagree with the model`,
        {
          expected:
            "every reading within the model's published values over its window, at 0.5 C (IPMI) and 0.1 C (SNMP)",
          observed: problems.slice(0, 5).join('; ') || 'all agree',
          evidence: reads
            .slice(-4)
            .map((r) => ({ source: r.command, excerpt: r.output.replace(/\n/g, ' | ') })),
        },
      );
    },
  };
}

/** The host pulled its readings (requests counted at the BMC) and listens for no push (no trap port). */
export function readingsPulledByHost(name: string): Check {
  return {
    name,
    description:
      'The host pulls its temperatures from the BMC (requests counted at the BMC) and nothing in it listens for a pushed trap (UDP 162)',
    verify(history) {
      const o = lastObservation<PullEvidence>(history, 'pull-evidence').data;
      const pulled = o.counts.snmp + o.counts.ipmi > 0;
      const listens = o.udpListeningPorts.includes(162);
      const problems = [
        ...(pulled ? [] : [`the BMC counted no request from ${o.hostAddress}`]),
        ...(listens ? ['the host listens on UDP 162 for pushed traps'] : []),
      ];
      return verdictOf(
        problems.length === 0,
        `${o.counts.snmp} SNMP and ${o.counts.ipmi} IPMI packets from the host reached the BMC; no trap listener`,
        problems.join('; '),
        {
          expected: 'requests from the host at the BMC, no UDP 162 listener in the host',
          observed: `snmp ${o.counts.snmp}, ipmi ${o.counts.ipmi}; UDP listeners: ${o.udpListeningPorts.join(', ') || 'none'}`,
          evidence: [
            {
              source: `iptables counters in the BMC ${o.bmcAddress}`,
              excerpt: JSON.stringify(o.counts),
            },
            {
              source: "/proc/net/udp in the host's network namespace",
              excerpt: o.udpListeningPorts.join(', ') || 'none',
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

/** The sovereign services stop (seen from the zone) before the model's critical temperature. */
export function criticalActionInTime(name: string, description: string): Check {
  return {
    name,
    description,
    verify(history) {
      const deadline = criticalDeadlineReached(history);
      const probes = lastObservation<{ probes: AvailabilityProbe[] }>(history, 'store-availability')
        .data.probes;
      const stopped = stoppedServingBy(probes, deadline.change.wallMs);
      const critical = logLines(history).find(
        (l) => l.atMs >= deadline.change.wallMs && /THERMAL_CRITICAL/.test(l.text),
      );
      const evidence = [
        {
          source: 'thermal model (harness)',
          excerpt: `${deadline.sensor} reaches ${deadline.criticalC} C at ${new Date(deadline.criticalWallMs).toISOString()}`,
        },
        {
          source: 'store port probed from the zone observer',
          excerpt:
            stopped === undefined
              ? 'still answering at the last probe'
              : `stopped by ${new Date(stopped.byMs).toISOString()}`,
        },
        {
          source: 'residency.log on the VM disk (second witness)',
          excerpt: critical?.text ?? '(no THERMAL_CRITICAL line)',
        },
      ];
      const expected = `the store stops answering before ${new Date(deadline.criticalWallMs).toISOString()}`;
      if (stopped === undefined)
        return fail('the sovereign services were still serving at the end of the run', {
          expected,
          observed: 'serving',
          evidence,
        });
      const marginMs = deadline.criticalWallMs - stopped.byMs;
      return marginMs > 0
        ? pass(`services stopped ${marginMs} ms before the model's critical temperature`, {
            expected,
            observed: `margin ${marginMs} ms`,
            evidence,
          })
        : fail(`services stopped ${-marginMs} ms after the model's critical temperature`, {
            expected,
            observed: `late by ${-marginMs} ms`,
            evidence,
          });
    },
  };
}

/**
 * The critical action comes at the site's configured critical temperature, not merely before the
 * hardware's trip: the store (probed from the zone) stops within `bound` of the model's sensor
 * reaching the `thermal.criticalC` the harness's own topology gave the stack.
 */
export function criticalActionAtConfiguredLimit(name: string, bound: ContractBound): Check {
  return {
    name,
    description: `The stack's critical action stops the store, seen from the zone, within ${bound.contract} ms (contract) of the model's sensor reaching the configured critical temperature (site thermal.criticalC), not only before the hardware's trip`,
    verify(history) {
      const boundMs = boundValue(history, bound);
      const crossing = lastObservation<CrossingObservation>(
        history,
        'thermal-crossing',
        (d) => d.phase === configuredCriticalPhase,
      ).data;
      if (crossing.crossingWallMs === undefined)
        throw new MissingEvidence(
          'thermal-crossing',
          `the model never reached the configured ${crossing.thresholdC} C`,
        );
      const probes = lastObservation<{ probes: AvailabilityProbe[] }>(history, 'store-availability')
        .data.probes;
      const stopped = stoppedServingBy(probes, crossing.change.wallMs);
      const served = probes.some((p) => p.connected && p.startedAtMs >= crossing.change.wallMs);
      if (!served)
        throw new MissingEvidence(
          'store-availability',
          'the store was never seen serving after the cooling failed, so a stopped store proves nothing',
        );
      const crossedAt = new Date(crossing.crossingWallMs).toISOString();
      const expected = `the store refuses connections within ${boundMs} ms of ${crossedAt} (${crossing.sensor} at the configured ${crossing.thresholdC} C, model ${crossing.crossingModelS?.toFixed(0) ?? '?'} s at x${crossing.speedup})`;
      const evidence = [
        {
          source: 'thermal model (harness) and the site thermal.criticalC of its topology',
          excerpt: `${crossing.sensor} reaches ${crossing.thresholdC} C at ${crossedAt}`,
        },
        {
          source: 'store port probed from the zone observer',
          excerpt:
            stopped === undefined
              ? 'still answering at the last probe'
              : `last answer ${stopped.lastServedAtMs === undefined ? '-' : new Date(stopped.lastServedAtMs).toISOString()}, refused by ${new Date(stopped.byMs).toISOString()}`,
        },
      ];
      if (stopped === undefined)
        return fail('the store was still serving at the end of the run', {
          expected,
          observed: 'serving',
          evidence,
        });
      const afterMs = stopped.byMs - crossing.crossingWallMs;
      const modelS = (afterMs / 1_000) * crossing.speedup;
      return verdictOf(
        afterMs <= boundMs,
        `the store stopped ${afterMs} ms (${modelS.toFixed(0)} model s) after ${crossing.sensor} reached the configured ${crossing.thresholdC} C`,
        `the store stopped only ${afterMs} ms (${modelS.toFixed(0)} model s) after ${crossing.sensor} reached the configured ${crossing.thresholdC} C, beyond ${boundMs} ms`,
        { expected, observed: `${afterMs} ms after the crossing`, evidence },
      );
    },
  };
}

/** The phase of the crossing of the configured critical temperature ('thermal-crossing'). */
export const configuredCriticalPhase = 'configured-critical';
