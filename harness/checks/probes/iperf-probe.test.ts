import { describe, expect, it } from 'vitest';
import { betterHalfMean } from './iperf-probe.ts';

describe('betterHalfMean', () => {
  it('averages the larger half of the values, the middle one included when their number is odd', () => {
    expect(betterHalfMean([10, 40, 20, 30])).toBe(35);
    expect(betterHalfMean([1, 5, 3, 4, 2])).toBe(4);
    expect(betterHalfMean([])).toBe(0);
  });
});
