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
