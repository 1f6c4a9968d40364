import { SovhError } from '../../harness/util/sovh-error.ts';
import { bmcSensors } from './bmc-sensors.ts';
import type { Readings, SensorKey } from './thermal-model.ts';

/**
 * Recorded BMC sensor readings (exported from IPMI or SNMP polling), read into a timeline per
 * sensor. The file is CSV, one reading a line:
 *
 *   timestamp,sensor,value
 *   0,Inlet Temp,24.5
 *   30,CPU Temp,61
 *
 * - `timestamp`: seconds from the start of the recording (`0`, `12.5`), or ISO 8601 date-times
 *   with a zone (`2026-03-01T12:00:00Z`), counted from the first line's; one kind per file.
 * - `sensor`: the BMC's sensor by its IPMI name (`Inlet Temp`) or its key (`inlet`), any case.
 * - `value`: degrees Celsius.
 *
 * A header line `timestamp,sensor,value` is allowed, and so are blank lines and `#` comments.
 * Lines must be in time order. Pure: the same text gives the same trace.
 */

export interface BmcTraceSample {
  atS: number;
  celsius: number;
}

export interface BmcTrace {
  /** Each named sensor's readings, in time order. */
  sensors: Partial<Record<SensorKey, BmcTraceSample[]>>;
  /** Seconds from the start to the last reading. */
  durationS: number;
}

function lineError(file: string, line: number, problem: string, fix: string): SovhError {
  return new SovhError('BAD_TRACE', `${file} line ${String(line)}: ${problem}; ${fix}`, {
    details: { file, line },
  });
}

const sensorList = bmcSensors.map((s) => `"${s.name}" (${s.key})`).join(', ');
const unquote = (field: string) =>
  field
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .trim();
const isoTime = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** The sensor a trace names, by IPMI name or key; undefined for one the BMC does not have. */
export function traceSensor(name: string): SensorKey | undefined {
  const wanted = name.toLowerCase();
  return bmcSensors.find((s) => s.name.toLowerCase() === wanted || s.key === wanted)?.key;
}

export function parseBmcTrace(text: string, file = 'the BMC trace'): BmcTrace {
  const sensors: Partial<Record<SensorKey, BmcTraceSample[]>> = {};
  let kind: 'seconds' | 'iso' | undefined;
  let originMs = 0;
  let lastS = 0;
  let seenData = false;
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '').trim();
    const number = index + 1;
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(',').map(unquote);
    if (!seenData && fields.map((f) => f.toLowerCase()).join(',') === 'timestamp,sensor,value')
      return;
    seenData = true;
    if (fields.length !== 3)
      throw lineError(
        file,
        number,
        `"${line}" has ${String(fields.length)} field(s), not 3`,
        'write timestamp,sensor,value, e.g. 12.5,Inlet Temp,24.5',
      );
    const [stamp = '', sensorName = '', value = ''] = fields;
    let atS: number;
    if (/^\d+(\.\d+)?$/.test(stamp)) {
      if (kind === 'iso')
        throw lineError(
          file,
          number,
          `"${stamp}" is seconds, the lines above ISO times`,
          'use one kind of timestamp in a file',
        );
      kind = 'seconds';
      atS = Number(stamp);
    } else if (isoTime.test(stamp) && !Number.isNaN(Date.parse(stamp))) {
      if (kind === 'seconds')
        throw lineError(
          file,
          number,
          `"${stamp}" is an ISO time, the lines above seconds`,
          'use one kind of timestamp in a file',
        );
      if (kind === undefined) originMs = Date.parse(stamp);
      kind = 'iso';
      atS = (Date.parse(stamp) - originMs) / 1000;
    } else {
      throw lineError(
        file,
        number,
        `timestamp "${stamp}" is neither seconds from the start nor an ISO time`,
        'write it like 12.5 or 2026-03-01T12:00:12.5Z',
      );
    }
    if (atS < lastS)
      throw lineError(
        file,
        number,
        "its time comes before the line above's",
        'keep the lines in time order',
      );
    lastS = atS;
    const key = traceSensor(sensorName);
    if (key === undefined)
      throw lineError(
        file,
        number,
        `the BMC has no sensor "${sensorName}"`,
        `its sensors: ${sensorList}`,
      );
    if (!/^-?\d+(\.\d+)?$/.test(value))
      throw lineError(
        file,
        number,
        `value "${value}" is not a number`,
        'give degrees Celsius, e.g. 24.5',
      );
    (sensors[key] ??= []).push({ atS, celsius: Number(value) });
  });
  if (Object.keys(sensors).length === 0)
    throw new SovhError(
      'BAD_TRACE',
      `${file} holds no reading; give lines of timestamp,sensor,value (sensors: ${sensorList})`,
      { details: { file } },
    );
  return { sensors, durationS: lastS };
}

/** A sensor's reading at `atS` seconds of the recording: its first reading before it, linear between two, its last after. */
function sampleAt(samples: readonly BmcTraceSample[], atS: number): number {
  const first = samples[0];
  if (first === undefined) throw new Error('a traced sensor has no reading');
  if (atS <= first.atS) return first.celsius;
  for (let i = 1; i < samples.length; i += 1) {
    const b = samples[i];
    const a = samples[i - 1];
    if (a === undefined || b === undefined) break;
    if (atS <= b.atS) {
      if (b.atS === a.atS) return b.celsius;
      return a.celsius + ((b.celsius - a.celsius) * (atS - a.atS)) / (b.atS - a.atS);
    }
  }
  return samples[samples.length - 1]?.celsius ?? first.celsius;
}

/**
 * What a trace started at model time `startS` makes the sensors read at model time `modelS`,
 * with `scale` model seconds per recorded second: the traced sensors take the trace's values
 * (its first reading from the start on, linear between readings, its last held after the end)
 * and the others keep the model's.
 */
export function tracedReadings(
  trace: BmcTrace,
  startS: number,
  scale: number,
  modelS: number,
  model: Readings,
): Readings {
  const recordedS = (modelS - startS) / scale;
  const readings = { ...model };
  if (recordedS < 0) return readings;
  for (const [key, samples] of Object.entries(trace.sensors) as [SensorKey, BmcTraceSample[]][])
    readings[key] = sampleAt(samples, recordedS);
  return readings;
}

/** One reading of a trace as the BMC served it: its sensor, its value and when it came. */
export interface PlayedReading {
  sensor: SensorKey;
  celsius: number;
  /** Seconds from the start of the recording. */
  recordedS: number;
  /** The run clock's model time at which the sensors reached it. */
  modelS: number;
  /** The wall time (epoch ms) at which the sensors reached it. */
  wallMs: number;
}

/**
 * The readings of a trace started at model time `startS`, with `scale` model seconds per recorded
 * second, that were played before `untilS` (its heal, or the end of the run): each with the wall
 * time at which the sensors reached it, in time order (readings of one time in the BMC's sensor
 * order).
 */
export function playedTimeline(
  trace: BmcTrace,
  startS: number,
  scale: number,
  wallMsAt: (modelS: number) => number,
  untilS = Number.POSITIVE_INFINITY,
): PlayedReading[] {
  const order = (key: SensorKey) => bmcSensors.findIndex((s) => s.key === key);
  return (Object.entries(trace.sensors) as [SensorKey, BmcTraceSample[]][])
    .flatMap(([sensor, samples]) =>
      samples.map((s) => {
        const modelS = startS + s.atS * scale;
        return {
          sensor,
          celsius: s.celsius,
          recordedS: s.atS,
          modelS,
          wallMs: Math.round(wallMsAt(modelS)),
        };
      }),
    )
    .filter((r) => r.modelS <= untilS)
    .sort((a, b) => a.modelS - b.modelS || order(a.sensor) - order(b.sensor));
}

/** Where a played trace first takes a sensor past a threshold. */
export interface TraceCrossing {
  /** The first reading past the threshold (above it rising, under it falling). */
  reading: PlayedReading;
  /**
   * The sensor's reading before it, if any: between the two the BMC ramps linearly, so the sensors
   * pass the threshold somewhere after this one.
   */
  previous?: PlayedReading;
}

/**
 * The first reading of `sensor` in a played timeline strictly above `thresholdC` (rising) or
 * strictly under it (falling), with the reading before it; undefined when none is. Pure.
 */
export function traceCrossing(
  timeline: readonly PlayedReading[],
  sensor: SensorKey,
  thresholdC: number,
  direction: 'rising' | 'falling',
): TraceCrossing | undefined {
  const readings = timeline.filter((r) => r.sensor === sensor);
  const past = (c: number) => (direction === 'rising' ? c > thresholdC : c < thresholdC);
  const index = readings.findIndex((r) => past(r.celsius));
  const reading = readings[index];
  if (reading === undefined) return undefined;
  const previous = readings[index - 1];
  return previous === undefined ? { reading } : { reading, previous };
}
