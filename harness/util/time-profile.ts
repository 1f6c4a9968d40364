import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';

/** Wall and CPU time of one phase of a scenario run. */
export interface PhaseTime {
  phase: string;
  wallMs: number;
  /** The harness process's CPU time (user + system) during the phase. */
  cpuMs: number;
}

/** One kind of call to the engine in a run: how many, their summed and their longest wall time. */
export interface CallTime {
  kind: string;
  count: number;
  /** Sum of the calls' durations; calls overlap, so this may exceed the run's wall time. */
  totalMs: number;
  maxMs: number;
}

/** Where a scenario run's time went: kept in results.json as `profile`. */
export interface TimeProfile {
  /** In the order the run entered them. */
  phases: PhaseTime[];
  /** By kind, the largest total first. */
  engineCalls: CallTime[];
  /** Requests made to the engine's API, every one (a docker exec is three). */
  engineRequests: number;
  /** Wall time during which at least one call was outstanding: the run waiting on the engine. */
  engineWaitMs: number;
  /** The harness process's CPU time over the whole run (with -j above 1 it includes the others'). */
  cpu: { userMs: number; systemMs: number };
}

interface Open {
  phase: string;
  startedAt: number;
  cpu: NodeJS.CpuUsage;
}

const current = new AsyncLocalStorage<RunProfiler>();

/**
 * Records a run's phases and the calls it makes to the engine. Every call made from code started
 * inside `run()` is counted against this run, also with several runs side by side (-j): the
 * profiler travels with the asynchronous context, not with a global. Recording costs a clock read
 * and a map update per call.
 */
export class RunProfiler {
  private readonly phases: PhaseTime[] = [];
  private readonly calls = new Map<string, CallTime>();
  private open: Open | undefined;
  private requests = 0;
  private outstanding = 0;
  private waitingSince = 0;
  private waitMs = 0;
  private readonly cpuAtStart = process.cpuUsage();
  private finished: TimeProfile | undefined;

  /** `now` is the clock in milliseconds; tests give their own. */
  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Runs `action` with this profiler as the one engine calls are counted against. */
  run<T>(action: () => Promise<T>): Promise<T> {
    return current.run(this, action);
  }

  /** Ends the phase running now (if any) and starts `phase`. */
  enter(phase: string): void {
    this.closePhase();
    this.open = { phase, startedAt: this.now(), cpu: process.cpuUsage() };
  }

  private closePhase(): void {
    const open = this.open;
    if (open === undefined) return;
    this.open = undefined;
    const cpu = process.cpuUsage(open.cpu);
    this.phases.push({
      phase: open.phase,
      wallMs: this.now() - open.startedAt,
      cpuMs: (cpu.user + cpu.system) / 1000,
    });
  }

  /** Counts one request to the engine's API. */
  countRequest(): void {
    if (this.finished === undefined) this.requests += 1;
  }

  /** Starts timing a call of `kind`; the returned function ends it. */
  begin(kind: string): () => void {
    const startedAt = this.now();
    if (this.outstanding === 0) this.waitingSince = startedAt;
    this.outstanding += 1;
    let ended = false;
    return () => {
      if (ended || this.finished !== undefined) return;
      ended = true;
      const now = this.now();
      this.outstanding -= 1;
      if (this.outstanding === 0) this.waitMs += now - this.waitingSince;
      const ms = now - startedAt;
      const entry = this.calls.get(kind) ?? { kind, count: 0, totalMs: 0, maxMs: 0 };
      entry.count += 1;
      entry.totalMs += ms;
      entry.maxMs = Math.max(entry.maxMs, ms);
      this.calls.set(kind, entry);
    };
  }

  /**
   * The figures, rounded to the millisecond. Calls still outstanding (a command the run left
   * behind) are not counted, and nothing is recorded after this.
   */
  finish(): TimeProfile {
    if (this.finished !== undefined) return this.finished;
    this.closePhase();
    if (this.outstanding > 0) this.waitMs += this.now() - this.waitingSince;
    const cpu = process.cpuUsage(this.cpuAtStart);
    const round = (ms: number) => Math.round(ms);
    this.finished = {
      phases: this.phases.map((p) => ({ ...p, wallMs: round(p.wallMs), cpuMs: round(p.cpuMs) })),
      engineCalls: [...this.calls.values()]
        .map((c) => ({ ...c, totalMs: round(c.totalMs), maxMs: round(c.maxMs) }))
        .sort((a, b) => b.totalMs - a.totalMs || a.kind.localeCompare(b.kind)),
      engineRequests: this.requests,
      engineWaitMs: round(this.waitMs),
      cpu: { userMs: round(cpu.user / 1000), systemMs: round(cpu.system / 1000) },
    };
    return this.finished;
  }
}

/** The profiler of the run this code serves, if any. */
export function currentProfiler(): RunProfiler | undefined {
  return current.getStore();
}

/**
 * Runs `action` outside any run's profile: background work (a watch of the engine) started while
 * a run is profiled would otherwise count its calls, and its timers' calls, as the run's own.
 */
export function outsideProfiledRun<T>(action: () => T): T {
  return current.exit(action);
}

/** Times an operation as one engine call of `kind` against the current run (if any). */
export async function timedCall<T>(kind: string, action: () => Promise<T>): Promise<T> {
  const profiler = current.getStore();
  if (profiler === undefined) return action();
  const end = profiler.begin(kind);
  try {
    return await action();
  } finally {
    end();
  }
}
