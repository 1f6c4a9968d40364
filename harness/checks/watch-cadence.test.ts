import { describe, expect, it } from 'vitest';
import {
  longestGap,
  medianPeriod,
  periodLimitMs,
  watchGaps,
  watchIntervalMs,
} from './watch-cadence.ts';

describe('the stretches of a window without a question', () => {
  it('counts the edges, and only the questions inside the window, in time order', () => {
    expect(watchGaps(1_000, 3_000, [2_500, 500, 1_500, 9_000])).toEqual([
      { fromMs: 1_000, lengthMs: 500 },
      { fromMs: 1_500, lengthMs: 1_000 },
      { fromMs: 2_500, lengthMs: 500 },
    ]);
    expect(watchGaps(1_000, 3_000, [])).toEqual([{ fromMs: 1_000, lengthMs: 2_000 }]);
  });

  it('finds the longest, the first of equals', () => {
    const gaps = watchGaps(0, 3_000, [1_000, 2_000]);
    expect(longestGap(gaps, 0)).toEqual({ fromMs: 0, lengthMs: 1_000 });
    expect(longestGap([], 7)).toEqual({ fromMs: 7, lengthMs: 0 });
  });
});

describe("a watch's typical period", () => {
  it('is the median time between questions, the edges left out', () => {
    expect(medianPeriod([1_000, 1_500, 2_000, 3_000])).toEqual({ periodMs: 500, gaps: 3 });
    expect(medianPeriod([0, 500, 1_000, 1_900, 2_900])).toEqual({ periodMs: 700, gaps: 4 });
    expect(medianPeriod([2_000, 0, 1_000])).toEqual({ periodMs: 1_000, gaps: 2 });
  });

  it('is undefined under three questions', () => {
    expect(medianPeriod([])).toBeUndefined();
    expect(medianPeriod([1_000, 1_900])).toBeUndefined();
  });

  it("keeps the contract's interval, or half a bound a stack tightened", () => {
    expect(watchIntervalMs(500, 1_000)).toBe(500);
    expect(watchIntervalMs(500, 600)).toBe(300);
    expect(periodLimitMs(500)).toBe(600);
    expect(periodLimitMs(1_000)).toBe(1_200);
  });
});
