import type { Capability, CapabilityReport } from '../runtime/capabilities.ts';
import { missingCapabilities } from '../runtime/capabilities.ts';
import type { History, HistoryEvent } from '../scenario/history.ts';
import { observationName, type ObservationKey } from '../scenario/observation-key.ts';
import { describeError } from '../util/sovh-error.ts';
import type { Verdict } from './verdict.ts';

/** An oracle: reads the history of a run and gives a verdict. */
export interface Check {
  name: string;
  description: string;
  /** Capabilities without which the check cannot run here ("not applicable", by name). */
  needs?: readonly Capability[];
  verify(history: History): Verdict | Promise<Verdict>;
}

export interface CheckResult extends Verdict {
  name: string;
  description: string;
  durationMs: number;
  /** When the observations the checker read were taken (ms since the run started). */
  evidenceAtMs: number[];
}

/** Thrown by a checker whose evidence was never recorded; the verdict is "unknown", not a pass. */
export class MissingEvidence extends Error {
  constructor(observation: string, why = 'the run did not get that far') {
    super(`no "${observation}" observation in the history (${why})`);
  }
}

/** The last observation of a key (or name), or MissingEvidence. */
export function lastObservation<T>(
  history: History,
  key: ObservationKey<T> | string,
  where?: (data: T) => boolean,
): HistoryEvent & { data: T } {
  const name = observationName(key);
  const found = history
    .observations<T>(name, { track: false })
    .filter((e) => where === undefined || where(e.data));
  const last = found[found.length - 1];
  if (last === undefined) throw new MissingEvidence(name);
  // Only the observation the verdict rests on counts as its evidence, not those filtered out.
  history.noteRead(last);
  return last;
}

/**
 * Runs every check over the history. A check whose capabilities are missing is not applicable; a
 * checker that throws gives "unknown" with the error, never a pass.
 */
export async function runChecks(
  checks: readonly Check[],
  history: History,
  capabilities: CapabilityReport,
  scenarioMissing: readonly Capability[] = [],
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    const startedAt = Date.now();
    const missing = [...scenarioMissing, ...missingCapabilities(capabilities, check.needs ?? [])];
    let verdict: Verdict;
    if (missing.length > 0) {
      verdict = {
        status: 'not-applicable',
        summary: `not applicable: ${[...new Set(missing)].join(', ')} missing`,
      };
    } else {
      history.startReadTracking();
      try {
        verdict = await check.verify(history);
      } catch (error) {
        verdict = {
          status: 'unknown',
          summary: `checker could not decide: ${describeError(error)}`,
        };
      }
    }
    const read = history.stopReadTracking();
    results.push({
      name: check.name,
      description: check.description,
      durationMs: Date.now() - startedAt,
      ...verdict,
      evidenceAtMs: read.map((e) => e.atMs),
    });
  }
  return results;
}
