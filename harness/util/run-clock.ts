/**
 * The clock a run's simulated physics advances on: model time runs `speedup` times faster than
 * the wall clock from the moment the clock starts, so that a thermal time constant of minutes or
 * a battery that lasts a quarter of an hour plays out in seconds. Model time is in seconds;
 * wall-clock instants are epoch milliseconds, comparable with the timestamps of every container
 * of the run (they share the kernel's clock).
 */
export class RunClock {
  constructor(
    /** Wall-clock instant (epoch ms) of model time 0. */
    readonly startedAtMs: number,
    /** Model seconds per wall-clock second. */
    readonly speedup: number,
  ) {
    if (!Number.isFinite(speedup) || speedup <= 0) {
      throw new RangeError(`speedup ${speedup} is not a positive number; use 1 for real time`);
    }
  }

  static startNow(speedup: number, now: () => number = Date.now): RunClock {
    return new RunClock(now(), speedup);
  }

  /** Model time (s) at a wall-clock instant. */
  modelSecondsAt(wallMs: number): number {
    return ((wallMs - this.startedAtMs) / 1000) * this.speedup;
  }

  /** The wall-clock instant (epoch ms) of a model time. */
  wallMsAt(modelSeconds: number): number {
    return this.startedAtMs + (modelSeconds * 1000) / this.speedup;
  }

  /** A model duration (s) in wall-clock milliseconds. */
  wallMsFor(modelSeconds: number): number {
    return (modelSeconds * 1000) / this.speedup;
  }

  modelSecondsNow(now: () => number = Date.now): number {
    return this.modelSecondsAt(now());
  }
}
