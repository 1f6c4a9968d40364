import { SovhError } from '../../harness/util/sovh-error.ts';
import type { SequenceStep } from './ups-model.ts';

/**
 * Recorded UPS telemetry, read into a timeline of what the UPS's driver reports: either a NUT
 * dummy-ups sequence (.seq: "variable: value" lines applied together until a "TIMER <seconds>"
 * line, which waits before the next group) or the log NUT's `upslog` writes in its default format,
 *
 *   %TIME @Y@m@d @H@M@S% %VAR battery.charge% %VAR input.voltage% %VAR ups.load% [%VAR ups.status%] %VAR ups.temperature% %VAR input.frequency%
 *
 * e.g. `20260301 120000 100 230.0 35 [OL] NA 50.0` ("NA" for a variable the UPS did not report;
 * times are read as UTC and counted from the first line's). Pure: the same text gives the same
 * timeline.
 */

export type UpsTraceFormat = 'seq' | 'upslog';

export interface UpsTrace {
  format: UpsTraceFormat;
  /** Each step's variables, at seconds after the start of the recording. */
  steps: SequenceStep[];
  /** Seconds from the start to the recording's end (its last step, or a TIMER after it). */
  durationS: number;
}

/** NUT's ups.status words a driver may report (FSD is upsd's, not the driver's). */
export const upsStatusWords = [
  'OL',
  'OB',
  'LB',
  'HB',
  'RB',
  'CHRG',
  'DISCHRG',
  'BYPASS',
  'CAL',
  'OFF',
  'OVER',
  'TRIM',
  'BOOST',
  'ALARM',
  'TEST',
] as const;

/** A trace the harness cannot read: the file, the line and the fix. */
export function traceLineError(
  file: string,
  line: number,
  problem: string,
  fix: string,
): SovhError {
  return new SovhError('BAD_TRACE', `${file} line ${String(line)}: ${problem}; ${fix}`, {
    details: { file, line },
  });
}

const upslogLine = /^(\d{8})\s+(\d{6})\s+(.*)$/;
const upslogFields = /^(\S+)\s+(\S+)\s+(\S+)\s+\[([^\]]*)\]\s+(\S+)\s+(\S+)$/;
const upslogVariables = [
  'battery.charge',
  'input.voltage',
  'ups.load',
  'ups.status',
  'ups.temperature',
  'input.frequency',
] as const;
const numericVariables = new Set([
  'battery.charge',
  'battery.runtime',
  'battery.voltage',
  'input.voltage',
  'input.frequency',
  'output.voltage',
  'ups.load',
  'ups.temperature',
]);

const meaningful = (raw: string) => raw.replace(/#.*$/, '').trim();

/** Reads a UPS trace, telling the two formats apart by their first meaningful line. */
export function parseUpsTrace(text: string, file = 'the UPS trace'): UpsTrace {
  const first = text
    .split('\n')
    .map(meaningful)
    .find((line) => line !== '');
  if (first === undefined)
    throw new SovhError(
      'BAD_TRACE',
      `${file} holds no UPS state; give dummy-ups "variable: value" lines (with TIMER <seconds> between them) or upslog lines`,
      { details: { file } },
    );
  return upslogLine.test(first) ? parseUpslog(text, file) : parseSequence(text, file);
}

/** A value as the driver will report it, checked where the harness knows its meaning. */
function checkValue(file: string, line: number, name: string, value: string): string {
  if (name === 'ups.status') {
    const words = value.split(/\s+/).filter((w) => w !== '');
    if (words.length === 0)
      throw traceLineError(
        file,
        line,
        'ups.status is empty',
        'give NUT status words, e.g. "OB LB"',
      );
    for (const word of words) {
      if (word === 'FSD')
        throw traceLineError(
          file,
          line,
          'ups.status holds FSD, which upsd sets and no driver reports',
          'remove it and apply the ups-forced-shutdown fault at that time instead',
        );
      if (!(upsStatusWords as readonly string[]).includes(word))
        throw traceLineError(
          file,
          line,
          `"${word}" is not a NUT status word`,
          `use ${upsStatusWords.join(', ')}`,
        );
    }
    return words.join(' ');
  }
  if (numericVariables.has(name)) {
    if (!/^-?\d+(\.\d+)?$/.test(value))
      throw traceLineError(
        file,
        line,
        `${name} "${value}" is not a number`,
        'write it like 97 or 230.5',
      );
    if (name === 'battery.charge' && Number(value) > 100)
      throw traceLineError(
        file,
        line,
        `battery.charge ${value} is over 100`,
        'give a percentage from 0 to 100',
      );
  }
  return value;
}

function parseSequence(text: string, file: string): UpsTrace {
  const steps: SequenceStep[] = [];
  let atS = 0;
  let current: Record<string, string> = {};
  const flush = () => {
    if (Object.keys(current).length > 0) steps.push({ atS, values: current });
    current = {};
  };
  text.split('\n').forEach((raw, index) => {
    const line = meaningful(raw);
    if (line === '') return;
    const timer = /^TIMER\s+(\S+)$/.exec(line);
    if (timer !== null) {
      if (!/^\d+(\.\d+)?$/.test(timer[1] ?? ''))
        throw traceLineError(
          file,
          index + 1,
          `TIMER "${timer[1] ?? ''}" is not a number of seconds`,
          'write it like TIMER 30 or TIMER 2.5',
        );
      flush();
      atS += Number(timer[1]);
      return;
    }
    const variable = /^([a-z][a-z0-9_.]*)\s*:\s*(.*)$/i.exec(line);
    if (variable === null)
      throw traceLineError(
        file,
        index + 1,
        `"${line}" is neither "variable: value" nor "TIMER <seconds>"`,
        'write a NUT variable and its value (ups.status: OB) or a wait (TIMER 30)',
      );
    const name = variable[1] ?? '';
    const value = (variable[2] ?? '').trim().replace(/^"(.*)"$/, '$1');
    current[name] = checkValue(file, index + 1, name, value);
  });
  flush();
  if (steps.length === 0)
    throw new SovhError(
      'BAD_TRACE',
      `${file} holds only TIMER lines and no UPS state; give "variable: value" lines`,
      { details: { file } },
    );
  return { format: 'seq', steps, durationS: Math.max(atS, steps.at(-1)?.atS ?? 0) };
}

function upslogTime(date: string, time: string): number | undefined {
  const [y, mo, d] = [date.slice(0, 4), date.slice(4, 6), date.slice(6, 8)].map(Number);
  const [h, mi, s] = [time.slice(0, 2), time.slice(2, 4), time.slice(4, 6)].map(Number);
  if ([y, mo, d, h, mi, s].some((v) => v === undefined)) return undefined;
  const ms = Date.UTC(y ?? 0, (mo ?? 1) - 1, d, h, mi, s);
  const back = new Date(ms);
  // Refuses 20260231 or 126000, which Date.UTC would roll over.
  if (back.getUTCMonth() !== (mo ?? 0) - 1 || back.getUTCDate() !== d || (h ?? 0) > 23)
    return undefined;
  if ((mi ?? 0) > 59 || (s ?? 0) > 59) return undefined;
  return ms / 1000;
}

function parseUpslog(text: string, file: string): UpsTrace {
  const steps: SequenceStep[] = [];
  let startS: number | undefined;
  let lastS = 0;
  text.split('\n').forEach((raw, index) => {
    const line = meaningful(raw);
    if (line === '') return;
    const number = index + 1;
    const fix =
      'write upslog\'s default format: "YYYYMMDD HHMMSS charge voltage load [status] temperature frequency", NA for a value not reported';
    const stamped = upslogLine.exec(line);
    if (stamped === null)
      throw traceLineError(
        file,
        number,
        `"${line}" does not start with a YYYYMMDD HHMMSS time`,
        fix,
      );
    const epochS = upslogTime(stamped[1] ?? '', stamped[2] ?? '');
    if (epochS === undefined)
      throw traceLineError(
        file,
        number,
        `"${stamped[1] ?? ''} ${stamped[2] ?? ''}" is not a date and time`,
        fix,
      );
    const fields = upslogFields.exec(stamped[3] ?? '');
    if (fields === null)
      throw traceLineError(file, number, `"${line}" does not have six values after the time`, fix);
    startS ??= epochS;
    const atS = epochS - startS;
    if (atS < lastS)
      throw traceLineError(
        file,
        number,
        `its time comes before the line above's`,
        'keep the lines in the order they were logged',
      );
    lastS = atS;
    const values: Record<string, string> = {};
    upslogVariables.forEach((name, i) => {
      const value = fields[i + 1] ?? 'NA';
      if (value === 'NA' || value === '') return;
      values[name] = checkValue(file, number, name, value);
    });
    // A change of input.voltage alone is not a change of what a monitor acts on, but it is kept.
    steps.push({ atS, values });
  });
  return { format: 'upslog', steps, durationS: lastS };
}

/**
 * The timeline the UPS plays for a trace started at model time `startS` from the state
 * `initial`: each step adds to the state before it (as dummy-ups applies a sequence), and
 * recorded seconds become `scale` model seconds (the run clock's speed-up over the speed-up the
 * trace is played at). The first step, at 0, is the state the UPS was in before the trace.
 */
export function traceTimeline(
  trace: Pick<UpsTrace, 'steps'>,
  initial: Readonly<Record<string, string>>,
  startS: number,
  scale: number,
): SequenceStep[] {
  let state: Record<string, string> = { ...initial };
  const steps: SequenceStep[] = [{ atS: 0, values: state }];
  for (const step of trace.steps) {
    state = { ...state, ...step.values };
    steps.push({ atS: startS + step.atS * scale, values: state });
  }
  return steps;
}

/** When a played timeline first reports on battery (OB) and low battery (LB), in model seconds. */
export interface TraceOutage {
  onBatteryAtS: number;
  lowBatteryAtS: number;
  /** The timeline's last step: where the recording ends (the site's shutdown, in an upslog). */
  endAtS: number;
}

/**
 * The outage a played timeline shows, read from its ups.status words: the first OB, then the
 * first LB at or after it. Undefined when it never goes on battery, or never reaches LB there.
 */
export function traceOutage(timeline: readonly SequenceStep[]): TraceOutage | undefined {
  const status = (step: SequenceStep) => (step.values['ups.status'] ?? '').split(/\s+/);
  const onBattery = timeline.find((step) => status(step).includes('OB'));
  if (onBattery === undefined) return undefined;
  const lowBattery = timeline.find(
    (step) => step.atS >= onBattery.atS && status(step).includes('LB'),
  );
  if (lowBattery === undefined) return undefined;
  return {
    onBatteryAtS: onBattery.atS,
    lowBatteryAtS: lowBattery.atS,
    endAtS: timeline.at(-1)?.atS ?? lowBattery.atS,
  };
}
