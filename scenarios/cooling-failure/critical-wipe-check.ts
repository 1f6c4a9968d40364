import type { ContractBound } from '../../harness/contract/contract-bounds.ts';
import { lastObservation, MissingEvidence, type Check } from '../../harness/checks/check.ts';
import { keysWipedOnceDue } from '../power-thermal/keys-wiped-once-due.ts';
import type { CrossingObservation } from '../power-thermal/thermal-checks.ts';
import { configuredCriticalPhase } from './critical-checks.ts';

/** The memory scans of cooling-failure: while the host serves, and once the action is due. */
export const wipeScanPhases = {
  serving: 'before-critical',
  due: 'after-critical',
} as const;

/**
 * The thermal critical action is the whole graceful residency shutdown, not only a stop of the
 * services: once the action is due (the bound after the model's CPU reached the site's limit), no
 * key the harness learnt from outside is in any process of the host, and no service of the host
 * listens. The critical checks see the store stop from the zone; a watch that stops the services
 * but skips the wipe passed them with the data key still in memory.
 */
export function keysWipedAtCritical(name: string, bound: ContractBound): Check {
  return keysWipedOnceDue({
    name,
    description: `Within the critical-action bound (contract: ${bound.contract} ms) of the CPU reaching the site's critical limit, the graceful residency shutdown has run whole: no byte string of any key the harness learnt from outside is in any process of the host (/proc/PID/mem, scanned from outside), and no service of the host listens`,
    bound,
    phases: wipeScanPhases,
    owedFrom(history) {
      const crossing = lastObservation<CrossingObservation>(
        history,
        'thermal-crossing',
        (d) => d.phase === configuredCriticalPhase,
      ).data;
      if (crossing.crossingWallMs === undefined)
        throw new MissingEvidence(
          'thermal-crossing',
          `the model's ${crossing.sensor} never reached the configured ${crossing.thresholdC} C`,
        );
      return {
        atMs: crossing.crossingWallMs,
        what: `the CPU reached ${crossing.thresholdC} C`,
      };
    },
  });
}
