import { describe, expect, it } from 'vitest';
import { longestGap, watchGaps } from './watch-cadence.ts';

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
