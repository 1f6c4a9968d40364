import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBmcTrace, playedTimeline, traceCrossing, tracedReadings } from './bmc-trace.ts';

const examples = join(import.meta.dirname, '..', '..', 'examples', 'incidents', 'traces');

describe('parseBmcTrace', () => {
  it('reads seconds from the start, a header, comments, and sensors by IPMI name or key', () => {
    const trace = parseBmcTrace(
      [
        'timestamp,sensor,value',
        '# exported from ipmitool sdr',
        '0,Inlet Temp,22.5',
        '0,cpu,55',
        '',
        '30,"inlet temp",27',
        '60.5,Inlet Temp,31.25',
      ].join('\r\n'),
      'room.csv',
    );
    expect(trace).toEqual({
      sensors: {
        inlet: [
          { atS: 0, celsius: 22.5 },
          { atS: 30, celsius: 27 },
          { atS: 60.5, celsius: 31.25 },
        ],
        cpu: [{ atS: 0, celsius: 55 }],
      },
      durationS: 60.5,
    });
  });

  it('reads ISO times counted from the first line', () => {
    const trace = parseBmcTrace(
      [
        '2026-03-01T23:59:50Z,Exhaust Temp,40',
        '2026-03-02T00:00:05.5Z,Exhaust Temp,42',
        '2026-03-02T01:00:10+01:00,Exhaust Temp,44',
      ].join('\n'),
    );
    expect(trace.sensors.exhaust?.map((s) => s.atS)).toEqual([0, 15.5, 20]);
    expect(trace.durationS).toBe(20);
  });

  it('names the line of each kind of bad reading, with the fix', () => {
    const bad = (line: string) => () =>
      parseBmcTrace(`timestamp,sensor,value\n0,inlet,20\n${line}\n`, 'room.csv');
    expect(bad('5,Fan 1,3000')).toThrow(
      /^room\.csv line 3: the BMC has no sensor "Fan 1"; its sensors: "Inlet Temp" \(inlet\), "CPU Temp" \(cpu\), "Exhaust Temp" \(exhaust\)$/,
    );
    expect(bad('5,inlet,hot')).toThrow(
      /room\.csv line 3: value "hot" is not a number; give degrees Celsius/,
    );
    expect(bad('5,inlet')).toThrow(/room\.csv line 3: "5,inlet" has 2 field\(s\), not 3/);
    expect(bad('yesterday,inlet,20')).toThrow(/line 3: timestamp "yesterday" is neither seconds/);
    expect(bad('2026-03-01T00:00:00Z,inlet,20')).toThrow(
      /line 3: .*is an ISO time, the lines above seconds/,
    );
    expect(() => parseBmcTrace('10,inlet,20\n5,inlet,21\n', 'r.csv')).toThrow(
      /r\.csv line 2: its time comes before the line above's; keep the lines in time order/,
    );
    expect(() => parseBmcTrace('timestamp,sensor,value\n', 'r.csv')).toThrow(
      /r\.csv holds no reading/,
    );
  });
});

describe('tracedReadings', () => {
  const model = { inlet: 21, cpu: 50, exhaust: 30 };
  const trace = parseBmcTrace('0,inlet,20\n10,inlet,30\n10,cpu,70\n20,cpu,90\n');

  it('keeps the model before the trace and for sensors it does not name', () => {
    expect(tracedReadings(trace, 100, 1, 99, model)).toEqual(model);
    expect(tracedReadings(trace, 100, 1, 105, model).exhaust).toBe(30);
  });

  it('holds the first reading, interpolates between readings and holds the last, on a scaled clock', () => {
    // Started at model 100 s, two model seconds per recorded second.
    const at = (modelS: number) => tracedReadings(trace, 100, 2, modelS, model);
    expect(at(100)).toEqual({ inlet: 20, cpu: 70, exhaust: 30 });
    expect(at(110)).toMatchObject({ inlet: 25, cpu: 70 });
    expect(at(120)).toMatchObject({ inlet: 30, cpu: 70 });
    expect(at(130)).toMatchObject({ inlet: 30, cpu: 80 });
    expect(at(1000)).toMatchObject({ inlet: 30, cpu: 90 });
  });
});

describe('a played trace: its timeline and its first crossings', () => {
  const trace = parseBmcTrace(
    [
      '0,Inlet Temp,22',
      '0,CPU Temp,60',
      '60,Inlet Temp,27',
      '90,Inlet Temp,27.4',
      '120,CPU Temp,70',
      '120,Inlet Temp,19',
      '150,Inlet Temp,17.9',
    ].join('\n'),
  );
  // Started at model 100 s, 2 model s per recorded s, on a clock of 10 model s per wall s from 0.
  const wallMsAt = (modelS: number) => modelS * 100;

  it('gives each reading its model and wall time, in time order and the BMC’s sensor order', () => {
    const timeline = playedTimeline(trace, 100, 2, wallMsAt);
    expect(timeline.map((r) => [r.sensor, r.celsius, r.modelS, r.wallMs])).toEqual([
      ['inlet', 22, 100, 10_000],
      ['cpu', 60, 100, 10_000],
      ['inlet', 27, 220, 22_000],
      ['inlet', 27.4, 280, 28_000],
      ['inlet', 19, 340, 34_000],
      ['cpu', 70, 340, 34_000],
      ['inlet', 17.9, 400, 40_000],
    ]);
  });

  it('leaves out the readings after its heal', () => {
    expect(playedTimeline(trace, 100, 2, wallMsAt, 339).map((r) => r.recordedS)).toEqual([
      0, 0, 60, 90,
    ]);
  });

  it('crosses on the first reading strictly past the threshold, with the reading before it', () => {
    const timeline = playedTimeline(trace, 100, 2, wallMsAt);
    const above = traceCrossing(timeline, 'inlet', 27, 'rising');
    expect(above?.reading).toMatchObject({ celsius: 27.4, recordedS: 90, wallMs: 28_000 });
    expect(above?.previous).toMatchObject({ celsius: 27, wallMs: 22_000 });
    const under = traceCrossing(timeline, 'inlet', 18, 'falling');
    expect(under?.reading).toMatchObject({ celsius: 17.9, wallMs: 40_000 });
    expect(under?.previous?.celsius).toBe(19);
    // The CPU's readings are not the inlet's.
    expect(traceCrossing(timeline, 'cpu', 65, 'rising')?.reading).toMatchObject({
      sensor: 'cpu',
      celsius: 70,
    });
  });

  it('is no crossing when the sensor never gets past the threshold, or the trace never names it', () => {
    const timeline = playedTimeline(trace, 100, 2, wallMsAt);
    expect(traceCrossing(timeline, 'inlet', 27.4, 'rising')).toBeUndefined();
    expect(traceCrossing(timeline, 'inlet', 17.9, 'falling')).toBeUndefined();
    expect(traceCrossing(timeline, 'exhaust', 30, 'rising')).toBeUndefined();
    // A heal before the fall under 18 C: that reading was never played.
    const healed = playedTimeline(trace, 100, 2, wallMsAt, 399);
    expect(traceCrossing(healed, 'inlet', 18, 'falling')).toBeUndefined();
  });

  it('has no earlier reading when the first one is already past', () => {
    const hot = parseBmcTrace('0,inlet,29\n30,inlet,30');
    const crossing = traceCrossing(playedTimeline(hot, 0, 1, wallMsAt), 'inlet', 27, 'rising');
    expect(crossing?.reading.recordedS).toBe(0);
    expect(crossing?.previous).toBeUndefined();
  });

  it('reads the example excursion: above 27 C at 4 min 30 s, under 18 C at 19 min 30 s', () => {
    const text = readFileSync(join(examples, 'room-excursion.csv'), 'utf8');
    const timeline = playedTimeline(parseBmcTrace(text), 0, 1, (s) => s * 1_000);
    expect(traceCrossing(timeline, 'inlet', 27, 'rising')?.reading).toMatchObject({
      recordedS: 270,
      celsius: 27.3,
    });
    expect(traceCrossing(timeline, 'inlet', 18, 'falling')?.reading).toMatchObject({
      recordedS: 1170,
      celsius: 17.8,
    });
  });
});
