/**
 * The record of a run, Jepsen-style: the scenario acts and observes, and everything lands here as
 * timestamped events; checkers read only the history, never the live world.
 */
export type HistoryEventKind =
  'step' | 'step-end' | 'fault' | 'heal' | 'observation' | 'log' | 'error';

export interface HistoryEvent {
  seq: number;
  /** Milliseconds since the run started. */
  atMs: number;
  at: string;
  kind: HistoryEventKind;
  name: string;
  data?: unknown;
}

export class History {
  private readonly startedAt = Date.now();
  readonly events: HistoryEvent[] = [];

  record(kind: HistoryEventKind, name: string, data?: unknown): HistoryEvent {
    const now = Date.now();
    const event: HistoryEvent = {
      seq: this.events.length,
      atMs: now - this.startedAt,
      at: new Date(now).toISOString(),
      kind,
      name,
      data,
    };
    this.events.push(event);
    return event;
  }

  private readTracker: Set<HistoryEvent> | undefined;

  /** Every observation of a name, in order. The caller names the shape of what it recorded. */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
  observations<T = unknown>(name: string): (HistoryEvent & { data: T })[] {
    const found = this.events.filter((e) => e.kind === 'observation' && e.name === name);
    for (const event of found) this.readTracker?.add(event);
    return found as (HistoryEvent & { data: T })[];
  }

  /** Starts noting which observations are read, so a verdict can say when its evidence was taken. */
  startReadTracking(): void {
    this.readTracker = new Set();
  }

  stopReadTracking(): HistoryEvent[] {
    const read = [...(this.readTracker ?? [])];
    this.readTracker = undefined;
    return read.sort((a, b) => a.seq - b.seq);
  }
}
