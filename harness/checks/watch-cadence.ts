/**
 * A stack's watch (of its HSM, of its KMS) seen from the device it asks: a single fault meets a
 * periodic watch at one phase only, so a watch slower than its bound passes a single fault by
 * luck; the times its questions reach the device show its period in one run. The longest stretch
 * of a window without a question, counting the window's edges, must stay under the bound the
 * watch serves: a watch that leaves the bound's length or more unwatched misses that bound for a
 * fault that lands at the wrong moment.
 */

/** A stretch without a question: where it began and how long it lasted (ms). */
export interface WatchGap {
  fromMs: number;
  lengthMs: number;
}

/** The stretches of a window without a question: from its start to the first, between, to its end. */
export function watchGaps(
  windowStartMs: number,
  windowEndMs: number,
  atMs: readonly number[],
): WatchGap[] {
  const inWindow = atMs
    .filter((at) => at >= windowStartMs && at <= windowEndMs)
    .sort((a, b) => a - b);
  const edges = [windowStartMs, ...inWindow, windowEndMs];
  return edges.slice(1).map((at, i) => {
    const from = edges[i] ?? at;
    return { fromMs: from, lengthMs: at - from };
  });
}

/** The longest stretch without a question (the window's start, of length 0, when it has none). */
export function longestGap(gaps: readonly WatchGap[], windowStartMs: number): WatchGap {
  return gaps.reduce((a, b) => (b.lengthMs > a.lengthMs ? b : a), {
    fromMs: windowStartMs,
    lengthMs: 0,
  });
}

/**
 * How far a watch's typical period may run past the interval the contract gives it. A watch just
 * inside its bound (polling every 0.9 s for a 1 s bound) meets most single faults yet breaks the
 * contract's interval, and leaves no room for the stack's own retry or a busy scheduler. In CI
 * runs with two worlds on two cores the reference's longest stretches read 501-626 ms for 0.5 s
 * and up to 1028 ms for 1 s (the sleep plus the question's own round trip, now and then a late
 * wake-up); its medians stayed within a few ms of the interval. A fifth over it leaves room for
 * that and catches a watch set to 0.75 s or slower.
 */
export const watchPeriodSlack = 1.2;

/** The interval a watch must keep: the contract's, or half a bound the stack tightened below it. */
export function watchIntervalMs(contractIntervalMs: number, boundMs: number): number {
  return Math.min(contractIntervalMs, boundMs / 2);
}

/** The longest typical period a watch of `intervalMs` may show (ms, rounded). */
export function periodLimitMs(intervalMs: number): number {
  return Math.round(intervalMs * watchPeriodSlack);
}

/**
 * A watch's typical period: the median time between two of its questions (the window's edges left
 * out, so a window cut short does not count). Undefined under three questions: two gaps say
 * nothing typical, and the longest-gap rule already fails so sparse a watch.
 */
export function medianPeriod(
  atMs: readonly number[],
): { periodMs: number; gaps: number } | undefined {
  const sorted = [...atMs].sort((a, b) => a - b);
  const between = sorted.slice(1).map((at, i) => at - (sorted[i] ?? at));
  if (between.length < 2) return undefined;
  between.sort((a, b) => a - b);
  const mid = Math.floor(between.length / 2);
  const periodMs =
    between.length % 2 === 1
      ? (between[mid] ?? 0)
      : Math.round(((between[mid - 1] ?? 0) + (between[mid] ?? 0)) / 2);
  return { periodMs, gaps: between.length };
}

/** A watch's typical period judged against the interval it must keep. */
export interface PeriodJudgement {
  intervalMs: number;
  limitMs: number;
  period: { periodMs: number; gaps: number } | undefined;
  /** The typical period is past the limit (never so when too few questions tell it). */
  tooSlow: boolean;
}

/** Judges the questions at `atMs` against the contract's interval (or half a tightened bound). */
export function judgePeriod(
  atMs: readonly number[],
  contractIntervalMs: number,
  boundMs: number,
): PeriodJudgement {
  const intervalMs = watchIntervalMs(contractIntervalMs, boundMs);
  const limitMs = periodLimitMs(intervalMs);
  const period = medianPeriod(atMs);
  return {
    intervalMs,
    limitMs,
    period,
    tooSlow: period !== undefined && period.periodMs > limitMs,
  };
}
