import { describe, expect, it } from 'vitest';
import { RunClock } from './run-clock.ts';

describe('RunClock', () => {
  it('maps wall-clock time to model time at its speedup, both ways', () => {
    const clock = new RunClock(1_000_000, 20);
    expect(clock.modelSecondsAt(1_000_000)).toBe(0);
    expect(clock.modelSecondsAt(1_001_500)).toBe(30);
    expect(clock.wallMsAt(30)).toBe(1_001_500);
    expect(clock.wallMsFor(600)).toBe(30_000);
    expect(RunClock.startNow(5, () => 42).startedAtMs).toBe(42);
  });

  it('refuses a speedup that is not a positive number', () => {
    expect(() => new RunClock(0, 0)).toThrow(/use 1 for real time/);
    expect(() => new RunClock(0, Number.NaN)).toThrow(RangeError);
  });
});
