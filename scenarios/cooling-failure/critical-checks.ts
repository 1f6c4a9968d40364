import type { ContractBound } from '../../harness/contract/contract-bounds.ts';
import { lastObservation, MissingEvidence, type Check } from '../../harness/checks/check.ts';
import { fail, pass, verdictOf } from '../../harness/checks/verdict.ts';
import type { History } from '../../harness/scenario/history.ts';
import { boundValue } from '../../harness/scenario/scenario-bounds.ts';
import { stoppedServingBy, type AvailabilityProbe } from '../power-thermal/store-availability.ts';
import type { CrossingObservation } from '../power-thermal/thermal-checks.ts';
import { criticalActionBound } from '../power-thermal/thermal-bounds.ts';
import type { LogLine } from '../power-thermal/thermal-evidence.ts';
import { criticalCrossing, type CriticalCrossing } from './critical-crossing.ts';

/** The phase of the crossing of the site's configured critical temperature ('thermal-crossing'). */
export const configuredCriticalPhase = 'configured-critical';
/** The phase of the crossing of the hardware's own critical temperature ('thermal-crossing'). */
export const hardwareCriticalPhase = 'hardware-critical';

/** The crossing of a phase, judged: the model's, or else a recorded trace's (critical-crossing.ts). */
function judged(history: History, phase: string, limit: string): CriticalCrossing {
  const crossing = lastObservation<CrossingObservation>(
    history,
    'thermal-crossing',
    (d) => d.phase === phase,
  ).data;
  return criticalCrossing(crossing, limit);
}

function storeProbes(history: History): AvailabilityProbe[] {
  return lastObservation<{ probes: AvailabilityProbe[] }>(history, 'store-availability').data
    .probes;
}

function stopEvidence(stopped: ReturnType<typeof stoppedServingBy>) {
  return {
    source: 'store port probed from the zone observer',
    excerpt:
      stopped === undefined
        ? 'still answering at the last probe'
        : `last answer ${stopped.lastServedAtMs === undefined ? '-' : new Date(stopped.lastServedAtMs).toISOString()}, refused by ${new Date(stopped.byMs).toISOString()}`,
  };
}

/**
 * The sovereign services stop (seen from the zone) before the sensor reaches the hardware's
 * critical temperature: the model's, or a recorded trace's first reading at or above it.
 */
export function criticalActionInTime(name: string, description: string): Check {
  return {
    name,
    description,
    verify(history) {
      const crossing = judged(history, hardwareCriticalPhase, 'its critical');
      const stopped = stoppedServingBy(storeProbes(history), crossing.changeWallMs);
      const critical = lastObservation<{ lines: LogLine[] }>(
        history,
        'residency-log',
      ).data.lines.find((l) => l.atMs >= crossing.changeWallMs && /THERMAL_CRITICAL/.test(l.text));
      const evidence = [
        crossing.evidence,
        stopEvidence(stopped),
        {
          source: 'residency.log on the VM disk (second witness)',
          excerpt: critical?.text ?? '(no THERMAL_CRITICAL line)',
        },
      ];
      const expected = `the store stops answering before ${new Date(crossing.wallMs).toISOString()}`;
      if (stopped === undefined)
        return fail('the sovereign services were still serving at the end of the run', {
          expected,
          observed: 'serving',
          evidence,
        });
      const marginMs = crossing.wallMs - stopped.byMs;
      return marginMs > 0
        ? pass(`services stopped ${marginMs} ms before ${crossing.criticalWhat}`, {
            expected,
            observed: `margin ${marginMs} ms`,
            evidence,
          })
        : fail(`services stopped ${-marginMs} ms after ${crossing.criticalWhat}`, {
            expected,
            observed: `late by ${-marginMs} ms`,
            evidence,
          });
    },
  };
}

/**
 * The critical action comes at the site's configured critical temperature, not merely before the
 * hardware's trip: the store (probed from the zone) stops within `bound` of the sensor reaching
 * the `thermal.criticalC` the harness's own topology gave the stack (the model's crossing, or a
 * recorded trace's first reading at or above it), and not before the sensor could be there.
 */
export function criticalActionAtConfiguredLimit(name: string, bound: ContractBound): Check {
  return {
    name,
    description: `The stack's critical action stops the store, seen from the zone, within ${bound.contract} ms (contract) of the sensor reaching the configured critical temperature (site thermal.criticalC; the model's, or a recorded trace's when one played), not only before the hardware's trip`,
    verify(history) {
      const boundMs = boundValue(history, bound);
      const crossing = judged(history, configuredCriticalPhase, 'the configured');
      const probes = storeProbes(history);
      const stopped = stoppedServingBy(probes, crossing.changeWallMs);
      const served = probes.some((p) => p.connected && p.startedAtMs >= crossing.changeWallMs);
      if (!served)
        throw new MissingEvidence(
          'store-availability',
          "the store was never seen serving from the cooling failure (or the incident's schedule) on, so a stopped store proves nothing",
        );
      const earlyMs = crossing.wallMs - crossing.earliestMs;
      const expected = `the store refuses connections between ${earlyMs} ms before and ${boundMs} ms after ${crossing.expectedAt}`;
      const evidence = [crossing.evidence, stopEvidence(stopped)];
      if (stopped === undefined)
        return fail('the store was still serving at the end of the run', {
          expected,
          observed: 'serving',
          evidence,
        });
      const afterMs = stopped.byMs - crossing.wallMs;
      if (afterMs < -earlyMs)
        return fail(`the store stopped ${-afterMs} ms before ${crossing.what}`, {
          expected,
          observed: `${afterMs} ms after the crossing`,
          evidence,
        });
      return verdictOf(
        afterMs <= boundMs,
        `the store stopped ${afterMs} ms (${crossing.scaled(afterMs)}) after ${crossing.what}`,
        `the store stopped only ${afterMs} ms (${crossing.scaled(afterMs)}) after ${crossing.what}, beyond ${boundMs} ms`,
        { expected, observed: `${afterMs} ms after the crossing`, evidence },
      );
    },
  };
}

/**
 * cooling-failure's critical checks under the names it declares them by, which incident files
 * name too (scenarios/incident/check-registry.ts): one definition for both.
 */
export function coolingFailureCriticalChecks(): Check[] {
  return [
    criticalActionInTime(
      'critical-action-in-time',
      "The stack's critical action (the graceful residency shutdown) stops its sovereign services, seen from the zone, before the CPU reaches its critical temperature (the model's, or a recorded trace's when one played)",
    ),
    criticalActionAtConfiguredLimit('critical-action-at-configured-limit', criticalActionBound),
  ];
}
