import { lastObservation, MissingEvidence, type Check } from '../../harness/checks/check.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import type { PowerTimeline } from './power-checks.ts';
import type { AvailabilityProbe } from './store-availability.ts';

/** Probes the window must hold for its verdict to mean anything. */
const minimumProbes = 3;

/**
 * On battery the stack prepares and keeps serving (CONTRACT.md, power watch): OB alone is no
 * reason to stop, or every mains blip would take the sovereign services down. The store, probed
 * from the zone, answers every probe from the mains failure until `marginMs` before upsd reported
 * the critical status (the stack may see it up to a poll before the harness's read).
 */
export function servesOnBattery(name: string, marginMs: number): Check {
  return {
    name,
    description:
      'On battery, before LB or FSD, the stack prepares and keeps serving: the store, probed from the zone, answers from the mains failure until the critical status',
    verify(history) {
      const t = lastObservation<PowerTimeline>(history, 'power-timeline').data;
      const untilMs = t.lowBatteryWallMs - marginMs;
      const probes = lastObservation<{ probes: AvailabilityProbe[] }>(
        history,
        'store-availability',
      ).data.probes.filter((p) => p.startedAtMs >= t.lossWallMs && p.finishedAtMs <= untilMs);
      if (probes.length < minimumProbes)
        throw new MissingEvidence(
          'store-availability',
          `${probes.length} probe(s) of the store between the mains failure and ${marginMs} ms before ${t.criticalStatus ?? 'LB'}, ${minimumProbes} needed`,
        );
      const refused = probes.filter((p) => !p.connected);
      const rel = (at: number) => `${at - t.lossWallMs} ms after the mains failed`;
      return verdictOf(
        refused.length === 0,
        `the store answered all ${probes.length} probes on battery, until ${rel(untilMs)}`,
        `the store stopped answering on battery, ${rel(refused[0]?.startedAtMs ?? untilMs)}, before upsd reported ${t.criticalStatus ?? 'LB'}`,
        {
          expected: `every probe of the store answered from the mains failure until ${marginMs} ms before ${t.criticalStatus ?? 'LB'}`,
          observed: `${probes.length - refused.length} of ${probes.length} answered`,
          evidence: [
            {
              source: 'TCP connects to the store port from the zone observer',
              excerpt:
                probes
                  .filter((p) => !p.connected)
                  .slice(0, 3)
                  .map((p) => `${rel(p.startedAtMs)}: ${p.detail}`)
                  .join('\n') || `${probes.length} probes, all answered`,
            },
          ],
        },
      );
    },
  };
}
