import { describe, expect, it } from 'vitest';
import { ThermalModel, seededUnit, type ThermalInputs } from './thermal-model.ts';

/** An independent check of the closed form: explicit Euler integration with a small step. */
function integrate(model: ThermalModel, untilS: number, stepS = 0.01) {
  const p = model.parameters;
  const state = { ...model.at(0) };
  for (let t = 0; t < untilS - 1e-9; t += stepS) {
    const inputs: ThermalInputs = model.inputsAt(t);
    const inletTarget = model.steadyState(inputs).inlet;
    const dInlet = (inletTarget - state.inlet) / p.roomTimeConstantS;
    const dCpu = (state.inlet + p.cpuCPerKw * inputs.loadKw - state.cpu) / p.cpuTimeConstantS;
    const dExhaust =
      (state.inlet + p.exhaustCPerKw * inputs.loadKw - state.exhaust) / p.exhaustTimeConstantS;
    state.inlet += dInlet * stepS;
    state.cpu += dCpu * stepS;
    state.exhaust += dExhaust * stepS;
  }
  return state;
}

describe('ThermalModel', () => {
  it('starts in the steady state of its initial inputs and stays there', () => {
    const model = new ThermalModel(
      { setpointC: 21, recirculationCPerKw: 2, cpuCPerKw: 60, exhaustCPerKw: 15 },
      { loadKw: 0.5 },
    );
    expect(model.at(0)).toEqual({ inlet: 22, cpu: 52, exhaust: 29.5 });
    const later = model.at(10_000);
    expect(later.inlet).toBeCloseTo(22, 9);
    expect(later.cpu).toBeCloseTo(52, 9);
  });

  it('relaxes the inlet towards the new steady state with the room time constant', () => {
    const model = new ThermalModel(
      { setpointC: 21, recirculationCPerKw: 2, roomTimeConstantS: 600 },
      { loadKw: 0.5 },
    );
    model.set(100, { loadKw: 3 });
    const start = 22;
    const target = 27;
    for (const dt of [0, 60, 600, 1800]) {
      expect(model.at(100 + dt).inlet).toBeCloseTo(
        target + (start - target) * Math.exp(-dt / 600),
        9,
      );
    }
  });

  it('agrees with a numerical integration of the same equations', () => {
    const model = new ThermalModel(
      { roomTimeConstantS: 300, cpuTimeConstantS: 30, exhaustTimeConstantS: 60 },
      { loadKw: 1 },
    );
    model.set(50, { cooling: 'off' });
    model.set(400, { cooling: 'degraded', loadKw: 2 });
    const exact = model.at(700);
    const numeric = integrate(model, 700);
    expect(exact.inlet).toBeCloseTo(numeric.inlet, 2);
    expect(exact.cpu).toBeCloseTo(numeric.cpu, 2);
    expect(exact.exhaust).toBeCloseTo(numeric.exhaust, 2);
  });

  it('handles a machine time constant equal to the room one', () => {
    const model = new ThermalModel(
      { roomTimeConstantS: 100, cpuTimeConstantS: 100 },
      { loadKw: 1 },
    );
    model.set(0, { cooling: 'off' });
    const numeric = integrate(model, 250);
    expect(model.at(250).cpu).toBeCloseTo(numeric.cpu, 2);
  });

  it('is continuous across a change of inputs', () => {
    const model = new ThermalModel({}, { loadKw: 0.5 });
    model.set(120, { cooling: 'off' });
    const before = model.at(119.999_999);
    const after = model.at(120);
    expect(after.inlet).toBeCloseTo(before.inlet, 4);
    expect(after.cpu).toBeCloseTo(before.cpu, 4);
  });

  it('heats towards ambient plus trapped load heat when cooling is off, and passes the critical CPU temperature', () => {
    const model = new ThermalModel(
      { ambientC: 30, roomHeatCPerKw: 25, criticalC: { inlet: 40, cpu: 95, exhaust: 60 } },
      { loadKw: 0.8 },
    );
    model.set(0, { cooling: 'off' });
    expect(model.steadyState(model.inputsAt(1)).inlet).toBeCloseTo(50, 9);
    const critical = model.firstCrossing('cpu', 95, 'rising', 0, 10_000);
    expect(critical).toBeDefined();
    expect(model.at(critical ?? 0).cpu).toBeGreaterThan(95);
    expect(model.at((critical ?? 0) - 0.02).cpu).toBeLessThanOrEqual(95);
  });

  it('finds a falling crossing and reports none when the level is never reached', () => {
    const model = new ThermalModel({ setpointC: 21 }, { loadKw: 0.5 });
    model.set(10, { setpointC: 14 });
    const crossing = model.firstCrossing('inlet', 18, 'falling', 0, 5_000);
    expect(crossing).toBeGreaterThan(10);
    expect(model.at(crossing ?? 0).inlet).toBeLessThan(18);
    expect(model.firstCrossing('inlet', 10, 'falling', 0, 5_000)).toBeUndefined();
  });

  it('gives the same readings for the same seed and schedule, however often it is asked', () => {
    const build = () => {
      const model = new ThermalModel({ noiseC: 0.3, seed: 42 }, { loadKw: 1 });
      model.set(30, { cooling: 'degraded' });
      model.set(90, { loadKw: 2.5 });
      return model;
    };
    const coarse = build();
    const fine = build();
    for (let t = 0; t < 200; t += 0.5) fine.readingsAt(t);
    for (const t of [0, 31.25, 90, 150.5, 199])
      expect(fine.readingsAt(t)).toEqual(coarse.readingsAt(t));
    const otherSeed = new ThermalModel({ noiseC: 0.3, seed: 43 }, { loadKw: 1 });
    expect(otherSeed.readingsAt(31.25)).not.toEqual(coarse.readingsAt(31.25));
  });

  it('keeps the seeded noise within its amplitude', () => {
    const model = new ThermalModel({ noiseC: 0.25 }, { loadKw: 1 });
    for (let t = 0; t < 100; t += 0.37) {
      expect(Math.abs(model.readingsAt(t).inlet - model.at(t).inlet)).toBeLessThanOrEqual(0.25);
    }
    const values = Array.from({ length: 1000 }, (_, i) => seededUnit(7, 1, i));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(Math.abs(values.reduce((a, b) => a + b, 0) / values.length)).toBeLessThan(0.1);
  });

  it('records the schedule and refuses events out of order', () => {
    const model = new ThermalModel({});
    model.set(10, { loadKw: 2 });
    model.set(10, { cooling: 'off' });
    expect(model.inputsAt(11)).toMatchObject({ loadKw: 2, cooling: 'off' });
    expect(model.schedule).toEqual([
      { atS: 10, set: { loadKw: 2 } },
      { atS: 10, set: { cooling: 'off' } },
    ]);
    expect(() => {
      model.set(5, { loadKw: 1 });
    }).toThrow(/comes before the last one/);
    expect(() => model.at(-1)).toThrow(/before the model's start/);
  });

  it('rejects parameters that make no sense, naming them', () => {
    expect(() => new ThermalModel({ roomTimeConstantS: 0 })).toThrow(/roomTimeConstantS/);
    expect(() => new ThermalModel({}, { loadKw: -1 })).toThrow(/loadKw/);
  });
});
