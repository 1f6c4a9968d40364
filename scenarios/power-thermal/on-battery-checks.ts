import { lastObservation, MissingEvidence, type Check } from '../../harness/checks/check.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import type { PowerTimeline } from './power-checks.ts';
import type { AvailabilityProbe, ReadProbe } from './store-availability.ts';

/** Probes the window must hold for its verdict to mean anything. */
const minimumProbes = 3;
/** Reads of the earlier record the window must hold (they run a second apart). */
const minimumReads = 2;

/**
 * On battery the stack prepares and keeps serving (CONTRACT.md, power watch): OB alone is no
 * reason to stop, or every mains blip would take the sovereign services down. The store, probed
 * from the zone, answers every probe from the mains failure until `marginMs` before upsd reported
 * the critical status (the stack may see it up to a poll before the harness's read), and every
 * read of the record written before the outage gets that record: a store that keeps its port open
 * and answers with an error (its keys wiped on OB) does not serve.
 */
export function servesOnBattery(name: string, marginMs: number): Check {
  return {
    name,
    description:
      'On battery, before LB or FSD, the stack prepares and keeps serving: the store, probed from the zone, answers from the mains failure until the critical status',
    verify(history) {
      const t = lastObservation<PowerTimeline>(history, 'power-timeline').data;
      const critical = t.criticalStatus ?? 'LB';
      const untilMs = t.lowBatteryWallMs - marginMs;
      const seen = lastObservation<{ probes: AvailabilityProbe[]; reads?: ReadProbe[] }>(
        history,
        'store-availability',
      ).data;
      const onBattery = (p: { startedAtMs: number; finishedAtMs: number }) =>
        p.startedAtMs >= t.lossWallMs && p.finishedAtMs <= untilMs;
      const probes = seen.probes.filter(onBattery);
      const reads = (seen.reads ?? []).filter(onBattery);
      const window = `between the mains failure and ${marginMs} ms before ${critical}`;
      if (probes.length < minimumProbes)
        throw new MissingEvidence(
          'store-availability',
          `${probes.length} probe(s) of the store ${window}, ${minimumProbes} needed`,
        );
      if (reads.length < minimumReads)
        throw new MissingEvidence(
          'store-availability',
          `${reads.length} read(s) of the record written before the outage ${window}, ${minimumReads} needed`,
        );
      const refused = probes.filter((p) => !p.connected);
      const unserved = reads.filter((r) => !r.served);
      const rel = (at: number) => `${at - t.lossWallMs} ms after the mains failed`;
      const firstFailure = Math.min(
        refused[0]?.startedAtMs ?? untilMs,
        unserved[0]?.startedAtMs ?? untilMs,
      );
      return verdictOf(
        refused.length === 0 && unserved.length === 0,
        `the store answered all ${probes.length} probes and served the record to all ${reads.length} reads on battery, until ${rel(untilMs)}`,
        `the store stopped ${unserved.length > 0 && firstFailure === unserved[0]?.startedAtMs ? 'serving the record' : 'answering'} on battery, ${rel(firstFailure)}, before upsd reported ${critical}`,
        {
          expected: `every probe of the store answered, and every read got the record written before the outage, from the mains failure until ${marginMs} ms before ${critical}`,
          observed: `${probes.length - refused.length} of ${probes.length} connects answered; ${reads.length - unserved.length} of ${reads.length} reads served the record`,
          evidence: [
            {
              source: 'TCP connects to the store port from the zone observer',
              excerpt:
                refused
                  .slice(0, 3)
                  .map((p) => `${rel(p.startedAtMs)}: ${p.detail}`)
                  .join('\n') || `${probes.length} probes, all answered`,
            },
            {
              source: 'GET of the record written before the outage, from the zone observer',
              excerpt:
                unserved
                  .slice(0, 3)
                  .map((r) => `${rel(r.startedAtMs)}: ${r.detail}`)
                  .join('\n') || `${reads.length} reads, all served the record`,
            },
          ],
        },
      );
    },
  };
}
