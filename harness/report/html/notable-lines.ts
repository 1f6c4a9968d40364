import type { ScenarioResult } from '../../scenario/scenario-result.ts';

/** The stack's log lines a reader looks for first: the manual's error strings and records. */
export const notablePatterns: readonly { code: string; pattern: RegExp }[] = [
  { code: 'GEOGRAPHIC_FENCE_ERROR', pattern: /GEOGRAPHIC_FENCE_ERROR/ },
  { code: 'LOCALIZATION_MISMATCH', pattern: /LOCALIZATION_MISMATCH/ },
  { code: 'ERR_CRYPTO_DEVICE_NOT_FOUND', pattern: /ERR_CRYPTO_DEVICE_NOT_FOUND/ },
  { code: 'BGP Route Revocation', pattern: /BGP Route Revocation/i },
  // The kernel writes "martian source"; the manual spells it with capitals.
  { code: 'Martian Source', pattern: /martian source/i },
];

export interface NotableLine {
  code: string;
  source: string;
  text: string;
  /** Milliseconds since the run started, when the line carries a timestamp. */
  atMs?: number;
}

const isoStamp = /^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?)(Z|[+-]\d{2}:?\d{2})?/;

/** The time of a log line that starts with an ISO-8601 timestamp (UTC when it names no zone). */
export function lineTimestampMs(line: string): number | undefined {
  const match = isoStamp.exec(line.trim());
  if (match === null) return undefined;
  const [, stamp = '', zone = 'Z'] = match;
  const iso = stamp.replace(' ', 'T').replace(',', '.');
  // Date.parse wants "+02:00"; syslog-style stamps write "+0200".
  const offset = /^[+-]\d{4}$/.test(zone) ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const parsed = Date.parse(`${iso}${offset}`);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** The wall-clock time (ms since the epoch) that is 0 on the scenario's timeline. */
export function timelineEpochMs(result: Pick<ScenarioResult, 'history' | 'startedAt'>): number {
  const first = result.history[0];
  if (first !== undefined) return Date.parse(first.at) - first.atMs;
  return Date.parse(result.startedAt);
}

/**
 * The notable lines of a run's collected logs, each once (a line seen in two sources is the same
 * event), placed on the timeline when it carries a timestamp.
 */
export function notableLines(
  result: Pick<ScenarioResult, 'logs' | 'history' | 'startedAt'>,
): NotableLine[] {
  const epochMs = timelineEpochMs(result);
  const seen = new Set<string>();
  const found: NotableLine[] = [];
  for (const log of result.logs) {
    for (const line of log.text.split('\n')) {
      const notable = notablePatterns.find((p) => p.pattern.test(line));
      if (notable === undefined) continue;
      const text = line.trim();
      if (seen.has(text)) continue;
      seen.add(text);
      const stamp = lineTimestampMs(text);
      found.push({
        code: notable.code,
        source: log.source,
        text,
        ...(stamp === undefined ? {} : { atMs: stamp - epochMs }),
      });
    }
  }
  return found.sort((a, b) => (a.atMs ?? Infinity) - (b.atMs ?? Infinity));
}
