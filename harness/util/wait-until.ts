import { setTimeout as sleep } from 'node:timers/promises';
import { raceDeadline } from './deadline.ts';
import { describeError, SovhError } from './sovh-error.ts';

export interface WaitOptions {
  /** What is awaited, for the timeout message: "<what> not <expected> after <N>ms". */
  what: string;
  expected: string;
  timeoutMs: number;
  intervalMs?: number;
  /** How long past the bound one hung probe may take before the wait gives up on it. */
  probeGraceMs?: number;
  signal?: AbortSignal;
}

const defaultProbeGraceMs = 10_000;

/**
 * Polls `probe` until it returns a value other than undefined, or throws a WAIT_TIMEOUT error
 * that names what was awaited and the last observation, so a timeout explains itself. Other
 * errors thrown by the probe are retried; a SovhError ends the wait at once. A probe that hangs
 * cannot hold the wait past its bound: each attempt gets the time left plus a short grace.
 */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined>,
  options: WaitOptions,
): Promise<T> {
  const startedAt = Date.now();
  const intervalMs = options.intervalMs ?? 250;
  let lastError: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const leftMs = Math.max(0, options.timeoutMs - (Date.now() - startedAt));
      const graceMs = leftMs + (options.probeGraceMs ?? defaultProbeGraceMs);
      const value = await raceDeadline(
        probe(),
        graceMs,
        () => new Error(`a probe did not answer within ${String(graceMs)}ms`),
      );
      if (value !== undefined) return value;
      lastError = undefined;
    } catch (error) {
      // A SovhError is a verdict of the probe ("this will never succeed"), not a passing fault.
      if (error instanceof SovhError) throw error;
      lastError = error;
    }
    const elapsedMs = Date.now() - startedAt;
    if (elapsedMs >= options.timeoutMs) {
      const last = lastError === undefined ? '' : ` (last error: ${describeError(lastError)})`;
      throw new SovhError(
        'WAIT_TIMEOUT',
        `${options.what} not ${options.expected} after ${elapsedMs}ms${last}`,
        { cause: lastError, details: { elapsedMs, timeoutMs: options.timeoutMs } },
      );
    }
    await sleep(Math.min(intervalMs, options.timeoutMs - elapsedMs));
  }
}
