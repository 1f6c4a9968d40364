import { lastObservation, MissingEvidence, type Check } from '../../harness/checks/check.ts';
import { keysWipedOnceDue } from '../power-thermal/keys-wiped-once-due.ts';
import { haltBound } from './log-or-die-checks.ts';
import { observed } from './log-or-die-evidence.ts';

/** The memory scans of the host left alone after its fill: while it serves, once its halt is due. */
export const haltScanPhases = {
  serving: 'before-fill',
  due: 'halt-due',
} as const;

/**
 * Log-Or-Die's halt is the whole graceful residency shutdown: the store port closing shows only the
 * services half. A stack that stops the services on a full audit disk but keeps its keys ("a full
 * disk is no reason to throw keys away") passed every check that probes from the zone.
 */
export const keysWipedAtHalt: Check = keysWipedOnceDue({
  name: 'keys-wiped-at-halt',
  description: `Within the halt bound (contract: ${haltBound.contract} ms) of the fill of the audit disk of the host that takes no write, the graceful residency shutdown has run whole: no byte string of any key the harness learnt from outside is in any process of the host (/proc/PID/mem, scanned from outside), and no service of the host listens`,
  bound: haltBound,
  phases: haltScanPhases,
  owedFrom(history) {
    const halt = lastObservation(history, observed.halt, (d) => !d.writesDuringWatch).data;
    const fill = lastObservation(
      history,
      observed.auditDiskFilled,
      (d) => d.host === halt.host,
    ).data;
    if (fill.freeBytesAfter >= fill.thresholdBytes)
      throw new MissingEvidence(
        observed.auditDiskFilled.name,
        `the fill left ${fill.freeBytesAfter} bytes free on ${fill.host}'s audit disk, not under the contract's ${fill.thresholdBytes}: no halt was owed`,
      );
    return {
      atMs: fill.filledAtMs,
      what: `${fill.host}'s audit disk was filled to ${fill.freeBytesAfter} bytes free`,
    };
  },
});
