import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1.5s', 1_500],
    ['45', 45_000],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'soon', '10x', '5s later', '0s', '-3s'])('refuses %j, naming the forms', (text) => {
    expect(() => parseDuration(text, '--for')).toThrow(/--for .* is not a duration; write it like/);
  });
});

describe('formatDuration', () => {
  it('writes short and long durations', () => {
    expect(formatDuration(400)).toBe('400ms');
    expect(formatDuration(1_500)).toBe('1.5s');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(120_000)).toBe('2m');
  });
});
