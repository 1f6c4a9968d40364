import { setTimeout as sleep } from 'node:timers/promises';
import { describeError } from './sovh-error.ts';

/**
 * Runs an async action every `intervalMs` (measured from the start of one run to the next; a slow
 * run delays the next, runs never overlap) until stopped. Failures are counted and the last one is
 * kept, so that a caller can tell a feed that stalled from one that ran; `stop()` waits for the
 * run in progress, so nothing touches a container after its owner moved on.
 */
export class PeriodicTask {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: AbortController | undefined;
  runs = 0;
  failures = 0;
  lastError: string | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly action: () => Promise<void>,
  ) {
    if (!(intervalMs > 0)) throw new RangeError(`interval ${intervalMs}ms is not positive`);
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Runs the action once now, outside the schedule (e.g. right after an input changed). */
  async runNow(): Promise<void> {
    await this.runOnce();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.abort();
    await this.loop;
  }

  private async runOnce(): Promise<void> {
    try {
      await this.action();
      this.runs += 1;
    } catch (error) {
      this.failures += 1;
      this.lastError = describeError(error);
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      const startedAt = Date.now();
      await this.runOnce();
      const waitMs = this.intervalMs - (Date.now() - startedAt);
      if (waitMs > 0 && this.isRunning) {
        this.wake = new AbortController();
        // Unref: a task nobody stopped must not keep the process alive after the run.
        await sleep(waitMs, undefined, { signal: this.wake.signal, ref: false }).catch(
          () => undefined,
        );
      }
    }
  }
}
