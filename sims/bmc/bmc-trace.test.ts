import { describe, expect, it } from 'vitest';
import { parseBmcTrace, tracedReadings } from './bmc-trace.ts';

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
