import { MissingEvidence } from '../../harness/checks/check.ts';
import type { CrossingObservation } from '../power-thermal/thermal-checks.ts';

/** A sensor's arrival at a critical limit, as a critical check judges it (wall times in epoch ms). */
export interface CriticalCrossing {
  /** When the heating began: the cooling failure, or the incident's schedule's start. */
  changeWallMs: number;
  /** The model's crossing, or the trace's first reading at or above the limit. */
  wallMs: number;
  /** The soonest the sensors can be at the limit: an action before then is not the limit's. */
  earliestMs: number;
  /** "cpu reached the configured 80 C", or "the recorded trace's cpu reached ... at <ISO>". */
  what: string;
  /** "the model's critical temperature", or what for a trace. */
  criticalWhat: string;
  /** For `expected`: the crossing with its time. */
  expectedAt: string;
  evidence: { source: string; excerpt: string };
  /** Turns a wall delay into the crossing's own time: model or recorded seconds. */
  scaled(delayMs: number): string;
}

/** The model's crossing may be this much later than the sensors' reading: their 0.1 C step. */
const sensorStepToleranceMs = 1_000;

/**
 * The model's crossing when the model crossed within the observed time; else the last played
 * trace's first reading at or above the limit. `limit` names it: "the configured" (80 C) or "its
 * critical" (95 C). A trace that never reaches the limit, or no trace at all, is MissingEvidence
 * (unknown, never a pass), with the trace's highest reading.
 */
export function criticalCrossing(crossing: CrossingObservation, limit: string): CriticalCrossing {
  const { sensor, thresholdC, change } = crossing;
  const reached = `reached ${limit} ${thresholdC} C`;
  if (crossing.crossingWallMs !== undefined) {
    const { crossingWallMs: wallMs, speedup } = crossing;
    const at = new Date(wallMs).toISOString();
    return {
      changeWallMs: change.wallMs,
      wallMs,
      earliestMs: wallMs - sensorStepToleranceMs,
      what: `${sensor} ${reached}`,
      criticalWhat: "the model's critical temperature",
      expectedAt: `${at} (${sensor} ${reached}, model ${crossing.crossingModelS?.toFixed(0) ?? '?'} s at x${speedup})`,
      evidence: {
        source: 'thermal model (harness), and the site thermal.criticalC of its topology',
        excerpt: `${sensor} ${reached} at ${at}`,
      },
      scaled: (ms) => `${((ms / 1_000) * speedup).toFixed(0)} model s`,
    };
  }
  const trace = crossing.trace;
  if (trace === undefined)
    throw new MissingEvidence(
      'thermal-crossing',
      `the model never ${reached} and no recorded trace played`,
    );
  const played = `it played ${new Date(trace.startWallMs).toISOString()} to ${new Date(trace.untilWallMs).toISOString()}`;
  if (trace.crossing === undefined)
    throw new MissingEvidence(
      'thermal-crossing',
      trace.readings === 0
        ? `the model never ${reached}, and the recorded trace played no ${sensor} reading (${played}): no crossing to judge the critical action by`
        : `the model never ${reached}, and the recorded trace's ${sensor} never did (${played}, ${trace.readings} reading(s), highest ${String(trace.extremeC)} C): no crossing to judge the critical action by`,
    );
  const { wallMs, celsius, recordedS, previousWallMs } = trace.crossing;
  const at = new Date(wallMs).toISOString();
  const what = `the recorded trace's ${sensor} ${reached} at ${at}`;
  return {
    changeWallMs: change.wallMs,
    wallMs,
    // Between its reading before and this one the BMC ramps linearly: the sensor reaches the
    // limit somewhere in between, so an action from the reading before on is the limit's.
    earliestMs: Math.min(wallMs - sensorStepToleranceMs, previousWallMs ?? wallMs),
    what,
    criticalWhat: what,
    expectedAt: what,
    evidence: {
      source: 'recorded BMC trace (fault bmc-trace), as played',
      excerpt: `${sensor} reads ${celsius} C at recorded ${recordedS} s = ${at} (x${trace.speedup}), its first reading at or above ${thresholdC} C; the reading before it at ${previousWallMs === undefined ? '(none)' : new Date(previousWallMs).toISOString()}`,
    },
    scaled: (ms) => `${((ms / 1_000) * trace.speedup).toFixed(0)} recorded s`,
  };
}
