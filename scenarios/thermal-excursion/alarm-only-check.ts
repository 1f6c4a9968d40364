import { lastObservation, MissingEvidence, type Check } from '../../harness/checks/check.ts';
import { fail, pass } from '../../harness/checks/verdict.ts';
import type { ContractBound } from '../../harness/contract/contract-bounds.ts';
import { logMarkers } from '../../harness/contract/log-markers.ts';
import type { CrossingObservation } from '../power-thermal/thermal-checks.ts';
import { logLines } from '../power-thermal/thermal-checks.ts';
import type { ReadProbe } from '../power-thermal/store-availability.ts';

/** Reads of the record that must start after the critical action's bound has passed. */
const minimumLateReads = 2;

/**
 * At a site whose critical action is `alarm-only` (CONTRACT.md, thermal watch), a reading at the
 * critical limit is logged and nothing more: the store keeps serving. A watch that reads the
 * action wrong, or shuts down whatever the site says, takes the sovereign services down at the
 * first hot CPU of a machine its operators chose to keep running. The store is read from the zone
 * a second apart from before the model's CPU reached the limit the harness gave the site; every
 * read from then on must get the record written before, at least `minimumLateReads` of them after
 * the critical-action bound (by when a shutdown would have shown), and the stack must have logged
 * the critical reading with the site's action: a watch that never saw it proves nothing here.
 */
export function alarmOnlyKeepsServing(phase: string, bound: ContractBound): Check {
  return {
    name: 'alarm-only-keeps-serving',
    description: `At an alarm-only site the stack logs the CPU's critical reading (${logMarkers.thermalCritical} action=alarm-only) and keeps serving: every read of a record from the zone, from the model's crossing until ${String(bound.contract)} ms (contract) after it and on, gets the record`,
    verify(history) {
      const crossing = lastObservation<CrossingObservation>(
        history,
        'thermal-crossing',
        (c) => c.phase === phase,
      ).data;
      const criticalAtMs = crossing.crossingWallMs;
      if (criticalAtMs === undefined)
        throw new MissingEvidence(
          'thermal-crossing',
          `the model's ${crossing.sensor} never reached ${crossing.thresholdC} C`,
        );
      const reads =
        lastObservation<{ reads?: ReadProbe[] }>(history, 'store-availability').data.reads ?? [];
      const after = reads.filter((r) => r.startedAtMs >= criticalAtMs);
      const rel = (at: number) =>
        `${at - criticalAtMs} ms after the CPU reached ${crossing.thresholdC} C`;
      const unserved = after.filter((r) => !r.served);
      const evidence = [
        {
          source: 'GET of the record written before, from the zone observer',
          excerpt:
            unserved
              .slice(0, 3)
              .map((r) => `${rel(r.startedAtMs)}: ${r.detail}`)
              .join('\n') || `${after.length} reads from the crossing on, all served the record`,
        },
      ];
      const first = unserved[0];
      if (first !== undefined)
        return fail(
          `the store stopped serving at an alarm-only site, ${rel(first.startedAtMs)}: ${first.detail}`,
          {
            expected:
              'every read of the record served after the critical reading (alarm-only: log it, take no action)',
            observed: `${after.length - unserved.length} of ${after.length} reads served the record`,
            evidence,
          },
        );
      const late = after.filter((r) => r.startedAtMs >= criticalAtMs + bound.contract);
      if (late.length < minimumLateReads)
        throw new MissingEvidence(
          'store-availability',
          `${late.length} read(s) of the record more than ${bound.contract} ms after the CPU's critical reading, ${minimumLateReads} needed`,
        );
      const marker = new RegExp(`${logMarkers.thermalCritical} sensor=${crossing.sensor} `);
      const logged = logLines(history).find((l) => marker.test(l.text));
      const logEvidence = {
        source: 'residency log',
        excerpt: logged?.text ?? `(no ${logMarkers.thermalCritical} line for ${crossing.sensor})`,
      };
      if (logged === undefined || !/action=alarm-only\b/.test(logged.text))
        return fail(
          logged === undefined
            ? `the store kept serving, but the stack never logged the ${crossing.sensor}'s critical reading: its watch did not act on the limit the site gave it`
            : `the stack logged the critical reading with another action than the site's alarm-only`,
          { evidence: [...evidence, logEvidence] },
        );
      return pass(
        `the stack logged the critical reading (alarm-only) and the store served all ${after.length} reads from the crossing on, ${late.length} of them past the ${bound.contract} ms bound`,
        { evidence: [...evidence, logEvidence] },
      );
    },
  };
}
