import type { VerdictStatus } from '../../checks/verdict.ts';
import type { ScenarioResult } from '../../scenario/scenario-result.ts';
import { notableLines, type NotableLine } from './notable-lines.ts';

/** Something that lasted: a step of the schedule, or a fault from injection to heal. */
export interface Span {
  name: string;
  startMs: number;
  endMs: number;
  /** False for a step that failed. */
  ok: boolean;
  /** True when it never ended (the schedule stopped inside the step, the fault was never healed). */
  open: boolean;
  detail?: string;
}

export interface Moment {
  name: string;
  atMs: number;
  detail?: string;
}

/** Everything the timeline of one scenario run shows, in milliseconds since the run started. */
export interface TimelineModel {
  startMs: number;
  endMs: number;
  steps: Span[];
  faults: Span[];
  observations: Moment[];
  attachments: Moment[];
  errors: Moment[];
  notable: NotableLine[];
  checks: { name: string; status: VerdictStatus; evidenceAtMs: number[] }[];
}

/** A string field of an event's data (its error, its description), if it has one. */
function textField(data: unknown, field: 'error' | 'description'): string | undefined {
  if (typeof data !== 'object' || data === null || !(field in data)) return undefined;
  const value = (data as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}

interface OpenSpan {
  name: string;
  startMs: number;
  detail?: string;
}

/** Pairs starts with ends of the same name (the latest open one), like a stack per name. */
function pairSpans(
  events: ScenarioResult['history'],
  startKind: string,
  endKind: string,
): { spans: Span[]; open: OpenSpan[] } {
  const spans: Span[] = [];
  const open: OpenSpan[] = [];
  for (const event of events) {
    if (event.kind === startKind) {
      const description = textField(event.data, 'description');
      open.push({
        name: event.name,
        startMs: event.atMs,
        ...(description === undefined ? {} : { detail: description }),
      });
    } else if (event.kind === endKind) {
      const index = open.map((o) => o.name).lastIndexOf(event.name);
      if (index === -1) continue;
      const [started] = open.splice(index, 1);
      if (started === undefined) continue;
      const failed =
        typeof event.data === 'object' &&
        event.data !== null &&
        'ok' in event.data &&
        event.data.ok === false;
      const detail = textField(event.data, 'error') ?? started.detail;
      spans.push({
        name: event.name,
        startMs: started.startMs,
        endMs: event.atMs,
        ok: !failed,
        open: false,
        ...(detail === undefined ? {} : { detail }),
      });
    }
  }
  return { spans, open };
}

/** Derives the timeline of a scenario run from its history, logs and check results. */
export function timelineModel(result: ScenarioResult): TimelineModel {
  const events = [...result.history].sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
  const notable = notableLines(result);
  const checks = result.checks.map((c) => ({
    name: c.name,
    status: c.status,
    evidenceAtMs: c.evidenceAtMs,
  }));
  const times = [
    ...events.map((e) => e.atMs),
    ...notable.flatMap((n) => (n.atMs === undefined ? [] : [n.atMs])),
    ...checks.flatMap((c) => c.evidenceAtMs),
  ];
  const firstMs = times.length === 0 ? 0 : Math.min(...times);
  const lastMs = times.length === 0 ? 1 : Math.max(...times);
  // A little room on both sides, so the first and last marks do not sit on the frame.
  const padMs = Math.max((lastMs - firstMs) * 0.02, 250);
  const startMs = Math.max(0, firstMs - padMs);
  const endMs = lastMs + padMs;

  const closeOpen = (open: OpenSpan[]): Span[] =>
    open.map((o) => ({ ...o, endMs: lastMs, ok: false, open: true }));
  const steps = pairSpans(events, 'step', 'step-end');
  const faults = pairSpans(events, 'fault', 'heal');
  const moments = (kind: string): Moment[] =>
    events
      .filter((e) => e.kind === kind)
      .map((e) => {
        const detail = textField(e.data, 'error') ?? textField(e.data, 'description');
        return { name: e.name, atMs: e.atMs, ...(detail === undefined ? {} : { detail }) };
      });
  return {
    startMs,
    endMs,
    steps: [...steps.spans, ...closeOpen(steps.open)].sort((a, b) => a.startMs - b.startMs),
    faults: [...faults.spans.map((s) => ({ ...s, ok: true })), ...closeOpen(faults.open)].sort(
      (a, b) => a.startMs - b.startMs,
    ),
    observations: moments('observation'),
    attachments: moments('attachment'),
    errors: moments('error'),
    notable,
    checks,
  };
}
