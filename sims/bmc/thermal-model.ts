import { z } from 'zod';

/**
 * A machine's thermal model: the inlet, CPU and exhaust temperatures its BMC reads, driven by the
 * machine's heat load, the room's cooling and the ambient temperature, with the thermal inertia
 * of the room (its time constant) and of the machine.
 *
 * The room air at the machine's inlet relaxes towards a steady state with time constant
 * `roomTimeConstantS`: with cooling on, the cooling setpoint plus the hot air the machine's own
 * load recirculates; with cooling off, the ambient plus the load's heat trapped in the room;
 * degraded cooling lies between the two. CPU and exhaust relax (faster) towards the inlet plus a
 * rise proportional to the load. Each is a first-order linear system driven by piecewise-constant
 * inputs, solved in closed form, so a reading depends only on the schedule of inputs and the time
 * asked: never on how often it is asked. Sensor noise, when asked for, is a hash of the seed, the
 * sensor and the time, so the same seed and schedule give the same readings, bit for bit.
 */

export const coolingStates = ['on', 'degraded', 'off'] as const;
export type CoolingState = (typeof coolingStates)[number];
export const sensorKeys = ['inlet', 'cpu', 'exhaust'] as const;
export type SensorKey = (typeof sensorKeys)[number];
export type Readings = Record<SensorKey, number>;

export const thermalParametersSchema = z
  .object({
    /** Temperature of the building around the room: where the room drifts with no cooling. */
    ambientC: z.number().default(30),
    /** Supply-air setpoint of the room's cooling. */
    setpointC: z.number().default(21),
    /** Inlet rise per kW of the machine's load with cooling on (hot-air recirculation). */
    recirculationCPerKw: z.number().min(0).default(2),
    /** Steady-state room rise per kW of load with cooling off. */
    roomHeatCPerKw: z.number().min(0).default(25),
    /** Share of the cooling's effect left when it is degraded (0..1). */
    degradedShare: z.number().min(0).max(1).default(0.5),
    /** Thermal inertia of the room air and everything in it. */
    roomTimeConstantS: z.number().positive().default(600),
    /** CPU rise over the inlet per kW of load, and its time constant. */
    cpuCPerKw: z.number().min(0).default(60),
    cpuTimeConstantS: z.number().positive().default(40),
    /** Exhaust rise over the inlet per kW of load (set by the fans' airflow), and its time constant. */
    exhaustCPerKw: z.number().min(0).default(15),
    exhaustTimeConstantS: z.number().positive().default(90),
    /** Where the hardware protects itself (thermal trip): the model's critical temperatures. */
    criticalC: z
      .object({ inlet: z.number(), cpu: z.number(), exhaust: z.number() })
      .strict()
      .default({ inlet: 40, cpu: 95, exhaust: 60 }),
    /** Amplitude of the seeded sensor noise (uniform, +/-); 0 for the noise-free curve. */
    noiseC: z.number().min(0).default(0),
    seed: z.number().int().default(1),
  })
  .strict();

export type ThermalParametersInput = z.input<typeof thermalParametersSchema>;
export type ThermalParameters = z.output<typeof thermalParametersSchema>;

export const thermalInputsSchema = z
  .object({
    loadKw: z.number().min(0),
    cooling: z.enum(coolingStates),
    ambientC: z.number(),
    setpointC: z.number(),
  })
  .strict();
export type ThermalInputs = z.output<typeof thermalInputsSchema>;

/** A change of inputs at a model time; the schedule is the list of these. */
export interface ThermalEvent {
  atS: number;
  set: Partial<ThermalInputs>;
}

interface Segment {
  startS: number;
  inputs: ThermalInputs;
  /** Temperatures at the segment's start. */
  start: Readings;
}

export class ThermalModel {
  readonly parameters: ThermalParameters;
  private readonly segments: Segment[];
  private readonly events: ThermalEvent[] = [];

  /** Starts at model time 0 in the steady state of the initial inputs. */
  constructor(parameters: ThermalParametersInput, initial: Partial<ThermalInputs> = {}) {
    this.parameters = thermalParametersSchema.parse(parameters);
    const inputs = thermalInputsSchema.parse({
      loadKw: 0.4,
      cooling: 'on',
      ambientC: this.parameters.ambientC,
      setpointC: this.parameters.setpointC,
      ...initial,
    });
    this.segments = [{ startS: 0, inputs, start: this.steadyState(inputs) }];
  }

  /** The schedule so far, for the history and for replaying the same run. */
  get schedule(): readonly ThermalEvent[] {
    return this.events;
  }

  inputsAt(tS: number): ThermalInputs {
    return this.segmentAt(tS).inputs;
  }

  /** Changes inputs from model time `atS` on; times must not go backwards. */
  set(atS: number, change: Partial<ThermalInputs>): void {
    const last = this.segments[this.segments.length - 1];
    if (last === undefined) throw new Error('the model has no segment');
    if (!(atS >= last.startS)) {
      throw new RangeError(
        `a thermal event at ${atS} s comes before the last one at ${last.startS} s; schedule events in order`,
      );
    }
    const inputs = thermalInputsSchema.parse({ ...last.inputs, ...change });
    const start = this.evaluate(last, atS);
    if (atS === last.startS) this.segments.pop();
    this.segments.push({ startS: atS, inputs, start });
    this.events.push({ atS, set: { ...change } });
  }

  /** The steady state the temperatures tend to under constant inputs. */
  steadyState(inputs: ThermalInputs): Readings {
    const inlet = this.inletTarget(inputs);
    return {
      inlet,
      cpu: inlet + this.parameters.cpuCPerKw * inputs.loadKw,
      exhaust: inlet + this.parameters.exhaustCPerKw * inputs.loadKw,
    };
  }

  /** The noise-free temperatures at model time `tS` (>= 0). */
  at(tS: number): Readings {
    return this.evaluate(this.segmentAt(tS), tS);
  }

  /** What the sensors read at `tS`: the temperatures plus the seeded noise. */
  readingsAt(tS: number): Readings {
    const exact = this.at(tS);
    const noise = this.parameters.noiseC;
    if (noise === 0) return exact;
    const tick = Math.round(tS * 1000);
    return {
      inlet: exact.inlet + noise * seededUnit(this.parameters.seed, 1, tick),
      cpu: exact.cpu + noise * seededUnit(this.parameters.seed, 2, tick),
      exhaust: exact.exhaust + noise * seededUnit(this.parameters.seed, 3, tick),
    };
  }

  /**
   * The first model time in [fromS, untilS] at which a sensor's noise-free temperature is strictly
   * beyond `thresholdC` (above for 'rising', below for 'falling'), to within `resolutionS`.
   */
  firstCrossing(
    sensor: SensorKey,
    thresholdC: number,
    direction: 'rising' | 'falling',
    fromS: number,
    untilS: number,
    resolutionS = 0.01,
  ): number | undefined {
    const beyond = (t: number) => {
      const value = this.at(t)[sensor];
      return direction === 'rising' ? value > thresholdC : value < thresholdC;
    };
    if (beyond(fromS)) return fromS;
    // Sums of exponentials cross a level at most a few times per segment: a scan at a step well
    // under every time constant finds the first crossing, bisection then sharpens it.
    const step =
      Math.min(
        this.parameters.cpuTimeConstantS,
        this.parameters.exhaustTimeConstantS,
        this.parameters.roomTimeConstantS,
      ) / 20;
    let previous = fromS;
    for (let t = Math.min(fromS + step, untilS); ; t = Math.min(t + step, untilS)) {
      if (beyond(t)) {
        let low = previous;
        let high = t;
        while (high - low > resolutionS) {
          const middle = (low + high) / 2;
          if (beyond(middle)) high = middle;
          else low = middle;
        }
        return high;
      }
      if (t >= untilS) return undefined;
      previous = t;
    }
  }

  private inletTarget(inputs: ThermalInputs): number {
    const p = this.parameters;
    const cooled = inputs.setpointC + p.recirculationCPerKw * inputs.loadKw;
    const uncooled = inputs.ambientC + p.roomHeatCPerKw * inputs.loadKw;
    switch (inputs.cooling) {
      case 'on':
        return cooled;
      case 'off':
        return uncooled;
      case 'degraded':
        return p.degradedShare * cooled + (1 - p.degradedShare) * uncooled;
    }
  }

  private segmentAt(tS: number): Segment {
    if (!(tS >= 0)) throw new RangeError(`model time ${tS} s is before the model's start`);
    let found = this.segments[0];
    for (const segment of this.segments) {
      if (segment.startS <= tS) found = segment;
      else break;
    }
    if (found === undefined) throw new Error('the model has no segment');
    return found;
  }

  /** Closed-form solution of the three first-order systems over one segment. */
  private evaluate(segment: Segment, tS: number): Readings {
    const p = this.parameters;
    const dt = tS - segment.startS;
    const inletTarget = this.inletTarget(segment.inputs);
    const inletGap = segment.start.inlet - inletTarget;
    const inlet = inletTarget + inletGap * Math.exp(-dt / p.roomTimeConstantS);
    const follower = (startValue: number, riseC: number, timeConstantS: number) =>
      followInlet(
        startValue,
        inletTarget + riseC,
        inletGap,
        p.roomTimeConstantS,
        timeConstantS,
        dt,
      );
    return {
      inlet,
      cpu: follower(segment.start.cpu, p.cpuCPerKw * segment.inputs.loadKw, p.cpuTimeConstantS),
      exhaust: follower(
        segment.start.exhaust,
        p.exhaustCPerKw * segment.inputs.loadKw,
        p.exhaustTimeConstantS,
      ),
    };
  }
}

/**
 * x' = (I(t) + rise - x) / tau with I(t) = target + gap * e^(-t/roomTau): the particular solution
 * K e^(-t/roomTau) has K = gap * roomTau / (roomTau - tau); equal time constants give the resonant form.
 */
function followInlet(
  startValue: number,
  finalValue: number,
  gap: number,
  roomTau: number,
  tau: number,
  dt: number,
): number {
  if (Math.abs(roomTau - tau) < 1e-9) {
    return finalValue + (gap * (dt / tau) + (startValue - finalValue)) * Math.exp(-dt / tau);
  }
  const k = (gap * roomTau) / (roomTau - tau);
  return (
    finalValue + k * Math.exp(-dt / roomTau) + (startValue - finalValue - k) * Math.exp(-dt / tau)
  );
}

/** A deterministic value in [-1, 1) from a seed, a stream and a position (a 32-bit integer hash). */
export function seededUnit(seed: number, stream: number, position: number): number {
  let h = (seed ^ Math.imul(stream, 0x9e3779b1) ^ Math.imul(position, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return (h / 2 ** 32) * 2 - 1;
}
