import { describe, expect, it } from 'vitest';
import { medianUpperBound } from './median-confidence.ts';

const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('medianUpperBound', () => {
  it('picks the order statistic the binomial gives: the 11th of 14 and the 20th of 30 at 95 %', () => {
    // P(Bin(14, 1/2) <= 9) = 0.910 < 0.95 <= P(<= 10) = 0.971
    expect(medianUpperBound(oneToN(14).reverse(), 0.95)).toBe(11);
    // P(Bin(30, 1/2) <= 18) = 0.900 < 0.95 <= P(<= 19) = 0.951
    expect(medianUpperBound(oneToN(30), 0.95)).toBe(20);
  });

  it('has no bound when the sample is too small for the confidence', () => {
    expect(medianUpperBound(oneToN(4), 0.95)).toBe(Number.POSITIVE_INFINITY);
    expect(medianUpperBound([], 0.95)).toBe(Number.POSITIVE_INFINITY);
    // 1 - 2^-5 = 0.969: five values bound it by their largest.
    expect(medianUpperBound([3, 1, 5, 2, 4], 0.95)).toBe(5);
  });

  it('covers the true median at about the asked rate on noisy draws', () => {
    let seed = 7;
    const draw = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const trials = 2000;
    let covered = 0;
    for (let t = 0; t < trials; t += 1) {
      // A skewed noise around a median of 1: half the draws below, half above, unevenly spread.
      const sample = Array.from({ length: 14 }, () =>
        draw() < 0.5 ? 1 - 0.3 * draw() : 1 + 0.1 * draw(),
      );
      if (medianUpperBound(sample, 0.95) >= 1) covered += 1;
    }
    expect(covered / trials).toBeGreaterThan(0.94);
    expect(covered / trials).toBeLessThan(0.995);
  });
});
