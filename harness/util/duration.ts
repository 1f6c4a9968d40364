import { SovhError } from './sovh-error.ts';

const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * A duration as people type it on a command line: `500ms`, `30s`, `2m`, `1h`, `1m30s`; a bare
 * number is seconds. Returns milliseconds; anything else is a bad-input error naming the forms.
 */
export function parseDuration(text: string, what = 'duration'): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  const consumed = parts.map((p) => p[0]).join('');
  const total = parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2] ?? ''] ?? 0), 0);
  if (parts.length === 0 || consumed !== trimmed || total <= 0) {
    throw new SovhError(
      'BAD_DURATION',
      `${what} "${text}" is not a duration; write it like 500ms, 30s, 2m, 1h or 1m30s`,
    );
  }
  return Math.round(total);
}

/** A duration for people: 90000 -> "1m30s", 1500 -> "1.5s". */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds === 0 ? `${minutes}m` : `${minutes}m${seconds}s`;
}
