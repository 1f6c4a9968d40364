import { makeAttachment, type Attachment } from './attachment.ts';
import { observationName, type ObservationKey } from './observation-key.ts';
import { sampleData, type SampleData, type SampleOptions } from './sample.ts';

/**
 * The record of a run, Jepsen-style: the scenario acts and observes, and everything lands here as
 * timestamped events; checkers read only the history, never the live world.
 */
export type HistoryEventKind =
  | 'step'
  | 'step-end'
  | 'fault'
  | 'heal'
  | 'observation'
  | 'log'
  | 'error'
  /** A time series value (data: SampleData); reports plot them. */
  | 'sample'
  /** A file kept as evidence (data: its name, media type, size and SHA-256). */
  | 'attachment';

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

  /** Files kept as evidence, in the order they were attached. */
  readonly attachments: Attachment[] = [];

  /**
   * A history rebuilt from a run's record, to judge it again: the whole of it, or the part up to a
   * point (where a mutant's schedule stops, harness/scenario/schedule-cut.ts).
   */
  static of(events: readonly HistoryEvent[], attachments: readonly Attachment[]): History {
    const history = new History();
    history.events.push(...events);
    history.attachments.push(...attachments);
    return history;
  }

  private closedBecause: string | undefined;

  /**
   * Closes the history: a schedule abandoned by its watchdog may still be running, and nothing
   * it does after that may count as evidence. Later records are dropped.
   */
  close(reason: string): void {
    this.closedBecause ??= reason;
  }

  get isClosed(): boolean {
    return this.closedBecause !== undefined;
  }

  /**
   * Records an event now, or at `options.at` for something measured earlier. Once the history is
   * closed only the runner's own records (`evenIfClosed`: a teardown problem) still land.
   */
  record(
    kind: HistoryEventKind,
    name: string,
    data?: unknown,
    options: { at?: Date; evenIfClosed?: boolean } = {},
  ): HistoryEvent {
    const now = options.at?.getTime() ?? Date.now();
    const event: HistoryEvent = {
      seq: this.events.length,
      atMs: now - this.startedAt,
      at: new Date(now).toISOString(),
      kind,
      name,
      data,
    };
    if (this.closedBecause === undefined || options.evenIfClosed === true) this.events.push(event);
    return event;
  }

  private readTracker: Set<HistoryEvent> | undefined;

  /** What a checker asked for by name, found or not ("observation:NAME", "sample:NAME"...). */
  private requestTracker: Set<string> | undefined;

  private noteRequest(kind: HistoryEventKind, name: string): void {
    this.requestTracker?.add(requestKey(kind, name));
  }

  /** Every observation of a name, in order. The caller names the shape of what it recorded. */
  observations<T = unknown>(
    key: ObservationKey<T> | string,
    options: { track?: boolean } = {},
  ): (HistoryEvent & { data: T })[] {
    const name = observationName(key);
    this.noteRequest('observation', name);
    const found = this.events.filter((e) => e.kind === 'observation' && e.name === name);
    if (options.track !== false) for (const event of found) this.readTracker?.add(event);
    return found as (HistoryEvent & { data: T })[];
  }

  /** Notes that a checker used this event as evidence (for readers that pick among several). */
  noteRead(event: HistoryEvent): void {
    this.readTracker?.add(event);
  }

  /** Records one value of a time series (see sample.ts); bad input throws a TypeError. */
  sample(series: string, value: number | string, options: SampleOptions = {}): HistoryEvent {
    const data = sampleData(series, value, options);
    return this.record('sample', series, data, options.at === undefined ? {} : { at: options.at });
  }

  /** Every sample of a series, in the order recorded. */
  samples(series: string): (HistoryEvent & { data: SampleData })[] {
    this.noteRequest('sample', series);
    const found = this.events.filter((e) => e.kind === 'sample' && e.name === series);
    for (const event of found) this.readTracker?.add(event);
    return found as (HistoryEvent & { data: SampleData })[];
  }

  /** Keeps a file as evidence; its name must be unique within the run. */
  attach(
    name: string,
    content: string | Buffer,
    mediaType: string,
    description?: string,
  ): Attachment {
    if (this.attachments.some((a) => a.name === name)) {
      throw new TypeError(
        `an attachment named "${name}" was already kept in this run; give each a distinct name (e.g. add the phase or machine)`,
      );
    }
    const now = Date.now();
    const attachment = makeAttachment(
      name,
      content,
      mediaType,
      { atMs: now - this.startedAt, at: new Date(now).toISOString() },
      description,
    );
    if (this.closedBecause === undefined) this.attachments.push(attachment);
    this.record('attachment', name, {
      mediaType,
      sizeBytes: attachment.sizeBytes,
      sha256: attachment.sha256,
      ...(description === undefined ? {} : { description }),
    });
    return attachment;
  }

  /** An attachment by name (undefined when none was kept); reading it counts as evidence taken. */
  attachment(name: string): Attachment | undefined {
    this.noteRequest('attachment', name);
    const found = this.attachments.find((a) => a.name === name);
    const event = this.events.find((e) => e.kind === 'attachment' && e.name === name);
    if (found !== undefined && event !== undefined) this.readTracker?.add(event);
    return found;
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

  /**
   * Starts noting every name a checker asks for, whether the history holds it or not: the events
   * its verdict could depend on are exactly those of these names (requestKey).
   */
  startRequestTracking(): void {
    this.requestTracker = new Set();
  }

  stopRequestTracking(): string[] {
    const requested = [...(this.requestTracker ?? [])];
    this.requestTracker = undefined;
    return requested.sort();
  }
}

/** How a request for the events of one kind and name is noted: "observation:kms-keys". */
export function requestKey(kind: HistoryEventKind, name: string): string {
  return `${kind}:${name}`;
}
