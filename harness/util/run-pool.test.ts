import { describe, expect, it } from 'vitest';
import { runPool } from './run-pool.ts';

describe('runPool', () => {
  it('keeps input order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const results = await runPool([30, 10, 20, 5], 2, async (delayMs, index) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      running -= 1;
      return index;
    });
    expect(results).toEqual([0, 1, 2, 3]);
    expect(peak).toBe(2);
  });

  it('rejects a concurrency that is not a positive whole number', async () => {
    await expect(runPool([1], 0, () => Promise.resolve(1))).rejects.toThrow(/at least 1/);
  });
});
