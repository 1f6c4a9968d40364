import { describe, expect, it } from 'vitest';
import { median, percentile, round } from './bench-stats.ts';

describe('bench statistics', () => {
  it('takes nearest-rank percentiles', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(median(values)).toBe(5);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 10)).toBe(1);
    expect(percentile([], 50)).toBeNaN();
    expect(round(1.256, 2)).toBe(1.26);
  });
});
