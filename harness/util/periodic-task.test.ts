import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { PeriodicTask } from './periodic-task.ts';

describe('PeriodicTask', () => {
  it('runs until stopped, never overlapping, and counts failures without stopping', async () => {
    let running = 0;
    let overlapped = false;
    let calls = 0;
    const task = new PeriodicTask(5, async () => {
      running += 1;
      overlapped ||= running > 1;
      calls += 1;
      await sleep(2);
      running -= 1;
      if (calls % 2 === 0) throw new Error(`failure ${calls}`);
    });
    task.start();
    // Until four calls have run, however slowly a loaded machine schedules them: every second
    // one fails, and a fixed wait could hold a single call.
    while (calls < 4) await sleep(5);
    await task.stop();
    const after = calls;
    await sleep(30);
    expect(calls).toBe(after);
    expect(overlapped).toBe(false);
    expect(task.runs + task.failures).toBe(calls);
    expect(task.failures).toBeGreaterThan(0);
    expect(task.lastError).toMatch(/^failure \d+$/);
  });

  it('stops promptly even with a long interval', async () => {
    const task = new PeriodicTask(60_000, () => Promise.resolve());
    task.start();
    const started = Date.now();
    await task.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(() => new PeriodicTask(0, () => Promise.resolve())).toThrow(/not positive/);
  });
});
