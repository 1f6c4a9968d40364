import { z } from 'zod';
import { parseUpsTrace } from './ups-trace.ts';

/**
 * A UPS on the run's clock: mains power and the battery that bridges its loss. On battery the
 * charge falls linearly with the load (energy drawn over capacity); back on mains it recharges at
 * a fixed rate. The status words are NUT's: OL (on line), OB (on battery), LB (low battery: charge
 * or runtime under its limit while on battery), CHRG (charging), FSD (forced shutdown, set through
 * upsd) and OFF (the battery is exhausted and the output is off). Pure and deterministic: the
 * state at a model time follows from the schedule of events alone.
 */

export const upsParametersSchema = z
  .object({
    /** Usable battery energy. */
    capacityWh: z.number().positive().default(200),
    /** What the protected machines draw. */
    loadW: z.number().positive().default(600),
    /** The rated output, for ups.load (percent of it that the load draws). */
    ratedW: z.number().positive().default(1500),
    /** LB below this charge (percent)... */
    lowBatteryPercent: z.number().min(0).max(100).default(25),
    /** ...or below this runtime (seconds), whichever comes first. */
    lowRuntimeS: z.number().min(0).default(60),
    rechargePercentPerS: z.number().positive().default(0.05),
    startChargePercent: z.number().min(0).max(100).default(100),
  })
  .strict();
export type UpsParametersInput = z.input<typeof upsParametersSchema>;
export type UpsParameters = z.output<typeof upsParametersSchema>;

export type UpsEventKind =
  'power-loss' | 'power-restore' | 'forced-shutdown' | 'forced-shutdown-cleared';
export interface UpsEvent {
  atS: number;
  kind: UpsEventKind;
}

export interface UpsState {
  mains: boolean;
  /** NUT status words, e.g. ["OB", "LB"]. */
  status: string[];
  chargePercent: number;
  runtimeS: number;
  loadPercent: number;
}

interface Phase {
  startS: number;
  mains: boolean;
  forcedShutdown: boolean;
  startCharge: number;
}

export class UpsModel {
  readonly parameters: UpsParameters;
  private readonly phases: Phase[];
  private readonly events: UpsEvent[] = [];

  constructor(parameters: UpsParametersInput = {}) {
    this.parameters = upsParametersSchema.parse(parameters);
    this.phases = [
      {
        startS: 0,
        mains: true,
        forcedShutdown: false,
        startCharge: this.parameters.startChargePercent,
      },
    ];
  }

  get schedule(): readonly UpsEvent[] {
    return this.events;
  }

  /** Percent of charge per second while on battery. */
  get drainPercentPerS(): number {
    return (this.parameters.loadW / 3600 / this.parameters.capacityWh) * 100;
  }

  powerLoss(atS: number): void {
    this.change(atS, 'power-loss', { mains: false });
  }

  powerRestore(atS: number): void {
    this.change(atS, 'power-restore', { mains: true });
  }

  /** The primary monitor's forced shutdown (upsd's FSD), until cleared. */
  forcedShutdown(atS: number): void {
    this.change(atS, 'forced-shutdown', { forcedShutdown: true });
  }

  clearForcedShutdown(atS: number): void {
    this.change(atS, 'forced-shutdown-cleared', { forcedShutdown: false });
  }

  at(tS: number): UpsState {
    const phase = this.phaseAt(tS);
    const charge = this.chargeIn(phase, tS);
    const p = this.parameters;
    const runtimeS = ((charge / 100) * p.capacityWh * 3600) / p.loadW;
    const status: string[] = [];
    if (phase.mains) {
      status.push('OL');
      if (charge < 100) status.push('CHRG');
    } else if (charge <= 0) {
      status.push('OFF');
    } else {
      status.push('OB');
      if (charge <= p.lowBatteryPercent || runtimeS <= p.lowRuntimeS) status.push('LB');
    }
    if (phase.forcedShutdown) status.push('FSD');
    return {
      mains: phase.mains,
      status,
      chargePercent: charge,
      runtimeS,
      loadPercent: (p.loadW / p.ratedW) * 100,
    };
  }

  /** When, after a power loss at `lossAtS` with no restore, the UPS reports LB; and when it runs dry. */
  dischargeTimes(lossAtS: number): { lowBatteryAtS: number; exhaustedAtS: number } {
    const p = this.parameters;
    const charge = this.at(lossAtS).chargePercent;
    const runtimeLimitCharge = (p.lowRuntimeS * p.loadW * 100) / (3600 * p.capacityWh);
    const lowCharge = Math.max(p.lowBatteryPercent, runtimeLimitCharge);
    const drain = this.drainPercentPerS;
    return {
      lowBatteryAtS: lossAtS + Math.max(0, (charge - lowCharge) / drain),
      exhaustedAtS: lossAtS + charge / drain,
    };
  }

  private change(
    atS: number,
    kind: UpsEventKind,
    set: Partial<Pick<Phase, 'mains' | 'forcedShutdown'>>,
  ): void {
    const last = this.phases[this.phases.length - 1];
    if (last === undefined) throw new Error('the UPS model has no phase');
    if (!(atS >= last.startS)) {
      throw new RangeError(
        `a UPS event at ${atS} s comes before the last one at ${last.startS} s; schedule events in order`,
      );
    }
    this.phases.push({ ...last, ...set, startS: atS, startCharge: this.chargeIn(last, atS) });
    this.events.push({ atS, kind });
  }

  private phaseAt(tS: number): Phase {
    if (!(tS >= 0)) throw new RangeError(`model time ${tS} s is before the UPS model's start`);
    let found = this.phases[0];
    for (const phase of this.phases) {
      if (phase.startS <= tS) found = phase;
      else break;
    }
    if (found === undefined) throw new Error('the UPS model has no phase');
    return found;
  }

  private chargeIn(phase: Phase, tS: number): number {
    const dt = tS - phase.startS;
    const charge = phase.mains
      ? phase.startCharge + this.parameters.rechargePercentPerS * dt
      : phase.startCharge - this.drainPercentPerS * dt;
    return Math.min(100, Math.max(0, charge));
  }
}

/** The variables of NUT's dummy-ups .dev format for a state (what `upsc` then reports). */
export function devFileVariables(state: UpsState): Record<string, string> {
  return {
    'ups.status': state.status.filter((word) => word !== 'FSD').join(' '),
    'battery.charge': state.chargePercent.toFixed(0),
    'battery.runtime': Math.max(0, Math.floor(state.runtimeS)).toFixed(0),
    'ups.load': state.loadPercent.toFixed(0),
    'input.voltage': state.mains ? '230.0' : '0.0',
  };
}

export interface SequenceStep {
  /** Seconds after the start of the recording. */
  atS: number;
  values: Record<string, string>;
}

/**
 * Parses a NUT dummy-ups sequence (.seq): "variable: value" lines, applied together until a
 * "TIMER <seconds>" line, which waits before the next group. The result is the recording's
 * timeline, which the harness replays on the run's clock (see ups-trace.ts, which also reads
 * upslog files).
 */
export function parseUpsSequence(text: string, file = 'the UPS sequence'): SequenceStep[] {
  return parseUpsTrace(text, file).steps;
}
