import { setTimeout as sleep } from 'node:timers/promises';
import type { RandomStream } from '../util/seeded-random.ts';
import type { Heal } from './fault.ts';

/** One fault of a train, with the moments a check needs to judge it. */
export interface FaultWindow {
  /** When the harness began to inject: the component may still answer until `cutAtMs`. */
  cutBeganAtMs: number;
  /** When the injection returned: the fault is surely in place. */
  cutAtMs: number;
  /** When the heal began: the component may answer before the heal returns. */
  healBeganAtMs: number;
  healedAtMs: number;
}

/**
 * A train of the same fault: `holdsMs` gives each fault's length (and so their number), and the
 * gap from a heal to the next fault is drawn from `gapMs` with the run's seed.
 *
 * Why a train of short faults with drawn gaps: a stack that watches a component by polling it
 * every P seconds notices a fault after a delay spread over one period, so on any one fault a
 * too-slow watch is late past a bound only by chance. No few fixed fault times cover every
 * period (some period always lines them up); gaps drawn over more than a second put each fault
 * at a fresh phase of any such watch, so a watch of period P slips through n faults with a
 * chance near (bound / P)^n. Short holds (the bound plus a second) keep n high for little time.
 */
export interface FaultTrainPlan {
  holdsMs: readonly number[];
  gapMs: { min: number; max: number };
}

/** What the train runs: its fault, and optionally work to do while one fault holds. */
export interface FaultTrainParts {
  inject: () => Promise<Heal>;
  gaps: RandomStream;
  /** Runs while fault `index` holds; the heal waits for it (and for the hold). */
  whileHeld?: (index: number) => Promise<void>;
}

/** The gaps a plan draws, in order: drawn up front so that a slow step cannot change them. */
export function drawGaps(plan: FaultTrainPlan, gaps: RandomStream): number[] {
  return plan.holdsMs.slice(1).map(() => gaps.int(plan.gapMs.min, plan.gapMs.max));
}

export async function runFaultTrain(
  plan: FaultTrainPlan,
  parts: FaultTrainParts,
): Promise<FaultWindow[]> {
  const gaps = drawGaps(plan, parts.gaps);
  const windows: FaultWindow[] = [];
  for (const [index, holdMs] of plan.holdsMs.entries()) {
    if (index > 0) await sleep(gaps[index - 1] ?? plan.gapMs.min);
    const cutBeganAtMs = Date.now();
    const heal = await parts.inject();
    const cutAtMs = Date.now();
    const held = sleep(holdMs);
    let healBeganAtMs = Number.NaN;
    try {
      await parts.whileHeld?.(index);
      await held;
    } finally {
      // Healed even when the held work failed: the rest of the run sees the component back.
      healBeganAtMs = Date.now();
      await heal();
    }
    windows.push({ cutBeganAtMs, cutAtMs, healBeganAtMs, healedAtMs: Date.now() });
  }
  return windows;
}
