import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseUpsTrace, traceOutage, traceTimeline } from './ups-trace.ts';

const examples = join(import.meta.dirname, '..', '..', 'examples', 'incidents', 'traces');

describe('parseUpsTrace: dummy-ups sequences', () => {
  it('reads groups of variables separated by TIMER waits, and the trailing wait into the duration', () => {
    const trace = parseUpsTrace(
      [
        '# recorded on a real unit',
        'ups.status: OL',
        'battery.charge: 100',
        'TIMER 30',
        'ups.status: OB DISCHRG',
        'TIMER 2.5',
        'ups.status: "OB LB"   # quoted as dummy-ups allows',
        'battery.charge: 12',
        'TIMER 5',
      ].join('\n'),
      'outage.seq',
    );
    expect(trace.format).toBe('seq');
    expect(trace.steps).toEqual([
      { atS: 0, values: { 'ups.status': 'OL', 'battery.charge': '100' } },
      { atS: 30, values: { 'ups.status': 'OB DISCHRG' } },
      { atS: 32.5, values: { 'ups.status': 'OB LB', 'battery.charge': '12' } },
    ]);
    expect(trace.durationS).toBe(37.5);
  });

  it('names the file, the line and the fix of a malformed line', () => {
    expect(() => parseUpsTrace('ups.status: OL\n\nWAIT 3\n', 'outage.seq')).toThrow(
      /^outage\.seq line 3: "WAIT 3" is neither "variable: value" nor "TIMER <seconds>"; write a NUT variable/,
    );
    expect(() => parseUpsTrace('ups.status: OL\nTIMER soon\n', 'o.seq')).toThrow(
      /o\.seq line 2: TIMER "soon" is not a number of seconds; write it like TIMER 30/,
    );
    expect(() => parseUpsTrace('battery.charge: full\n', 'o.seq')).toThrow(
      /o\.seq line 1: battery.charge "full" is not a number/,
    );
    expect(() => parseUpsTrace('ups.status: OB\nTIMER 1\nups.status: OB LOW\n', 'o.seq')).toThrow(
      /o\.seq line 3: "LOW" is not a NUT status word; use OL, OB, LB/,
    );
    expect(() => parseUpsTrace('ups.status: OB FSD\n', 'o.seq')).toThrow(
      /line 1: .*FSD.*ups-forced-shutdown fault/,
    );
    expect(() => parseUpsTrace('battery.charge: 140\n', 'o.seq')).toThrow(/line 1: .*over 100/);
  });

  it('refuses a trace without any state', () => {
    expect(() => parseUpsTrace('# nothing\n\n', 'empty.seq')).toThrow(
      /empty\.seq holds no UPS state/,
    );
    expect(() => parseUpsTrace('TIMER 5\n', 'timers.seq')).toThrow(/timers\.seq holds only TIMER/);
  });
});

describe('parseUpsTrace: upslog files', () => {
  const log = [
    '20260301 235958 100 230.1 35 [OL] 31.0 50.0',
    '20260301 235959 100 0.0 35 [OB DISCHRG] NA NA',
    '20260302 000004 88 0.0 36 [OB LB] NA 49.9',
  ];

  it('reads the default format, times counted from the first line (across midnight), NA left out', () => {
    const trace = parseUpsTrace(log.join('\n'), 'ups.log');
    expect(trace.format).toBe('upslog');
    expect(trace.durationS).toBe(6);
    expect(trace.steps).toEqual([
      {
        atS: 0,
        values: {
          'battery.charge': '100',
          'input.voltage': '230.1',
          'ups.load': '35',
          'ups.status': 'OL',
          'ups.temperature': '31.0',
          'input.frequency': '50.0',
        },
      },
      {
        atS: 1,
        values: {
          'battery.charge': '100',
          'input.voltage': '0.0',
          'ups.load': '35',
          'ups.status': 'OB DISCHRG',
        },
      },
      {
        atS: 6,
        values: {
          'battery.charge': '88',
          'input.voltage': '0.0',
          'ups.load': '36',
          'ups.status': 'OB LB',
          'input.frequency': '49.9',
        },
      },
    ]);
  });

  it('names the line of a malformed entry', () => {
    const broken = (line: string) => [log[0], log[1], line].join('\n');
    expect(() => parseUpsTrace(broken('20260302 000004 88 0.0 [OB LB] NA'), 'ups.log')).toThrow(
      /^ups\.log line 3: .*does not have six values after the time; write upslog's default format/,
    );
    expect(() => parseUpsTrace(broken('20260231 000004 88 0.0 36 [OB] NA NA'), 'ups.log')).toThrow(
      /ups\.log line 3: "20260231 000004" is not a date and time/,
    );
    expect(() => parseUpsTrace(broken('20260301 235900 88 0.0 36 [OB] NA NA'), 'ups.log')).toThrow(
      /ups\.log line 3: its time comes before the line above's/,
    );
    expect(() => parseUpsTrace(broken('at noon 88 0.0 36 [OB] NA NA'), 'ups.log')).toThrow(
      /ups\.log line 3: .*does not start with a YYYYMMDD HHMMSS time/,
    );
    expect(() => parseUpsTrace(broken('20260302 000004 8x 0.0 36 [OB] NA NA'), 'ups.log')).toThrow(
      /ups\.log line 3: battery\.charge "8x" is not a number/,
    );
  });
});

describe('traceTimeline', () => {
  it('starts from the state before the trace, accumulates each step and scales recorded time', () => {
    const trace = parseUpsTrace('ups.status: OL\nTIMER 10\nups.status: OB\nbattery.charge: 61\n');
    const initial = { 'ups.status': 'OL CHRG', 'battery.charge': '99', 'ups.load': '40' };
    expect(traceTimeline(trace, initial, 50, 2)).toEqual([
      { atS: 0, values: initial },
      { atS: 50, values: { 'ups.status': 'OL', 'battery.charge': '99', 'ups.load': '40' } },
      { atS: 70, values: { 'ups.status': 'OB', 'battery.charge': '61', 'ups.load': '40' } },
    ]);
    // Played at the speed it was recorded on a 20x clock: a recorded second is 20 model seconds.
    expect(traceTimeline(trace, initial, 0, 20).map((s) => s.atS)).toEqual([0, 0, 200]);
  });
});

describe('the outage a played trace shows', () => {
  const step = (atS: number, status: string) => ({ atS, values: { 'ups.status': status } });

  it('is its first OB, the first LB on battery, and its end', () => {
    expect(
      traceOutage([
        step(0, 'OL'),
        step(10, 'OB DISCHRG'),
        step(40, 'OB DISCHRG LB'),
        step(45, 'OB LB'),
      ]),
    ).toEqual({ onBatteryAtS: 10, lowBatteryAtS: 40, endAtS: 45 });
  });

  it('is none when the trace never goes on battery, or never reaches LB there', () => {
    expect(traceOutage([step(0, 'OL'), step(5, 'OL CHRG')])).toBeUndefined();
    expect(traceOutage([step(0, 'OL LB'), step(5, 'OB DISCHRG')])).toBeUndefined();
    expect(traceOutage([])).toBeUndefined();
  });

  it('reads the example upslog as played: on battery after 60 s, LB after 360 s', () => {
    const text = readFileSync(join(examples, 'ups-outage.log'), 'utf8');
    const timeline = traceTimeline(parseUpsTrace(text), { 'ups.status': 'OL' }, 100, 0.5);
    expect(traceOutage(timeline)).toEqual({ onBatteryAtS: 130, lowBatteryAtS: 280, endAtS: 280 });
  });
});
