/**
 * A distribution-free upper confidence bound for the median of a population, from a sample: the
 * k-th smallest value, with k the least for which at most k-1 of n draws fall below the median
 * with the asked probability (a binomial with p = 1/2). It assumes nothing about the shape of the
 * noise, which on a shared machine is neither normal nor steady.
 *
 * Returns Infinity when the sample is too small to bound the median at that confidence (at 95 %,
 * fewer than five values): no bound, rather than one the sample cannot carry.
 */
export function medianUpperBound(values: readonly number[], confidence: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  let cumulative = 0;
  let term = 0.5 ** n; // P(exactly 0 of n below the median)
  for (let below = 0; below < n; below += 1) {
    cumulative += term;
    // P(at most `below` draws under the median) >= confidence: the (below+1)-th value bounds it.
    if (cumulative >= confidence) return sorted[below] ?? Number.POSITIVE_INFINITY;
    term = (term * (n - below)) / (below + 1);
  }
  return Number.POSITIVE_INFINITY;
}
