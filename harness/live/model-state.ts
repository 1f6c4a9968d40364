import { StartedBmc } from '../../sims/bmc/bmc.ts';
import { StartedUps } from '../../sims/ups/ups.ts';
import type { History } from '../scenario/history.ts';
import type { RunClock } from '../util/run-clock.ts';
import type { World } from '../world/world.ts';

export interface ThermalState {
  machine: string;
  bmc: string;
  cooling: string;
  loadKw: number;
  inletC: number;
  cpuC: number;
  exhaustC: number;
  /** Where the hardware trips, by sensor. */
  criticalC: { inlet: number; cpu: number; exhaust: number };
}

export interface UpsState {
  ups: string;
  mains: boolean;
  status: string;
  chargePercent: number;
  runtimeS: number;
  /** Set while a recorded trace, not the battery model, drives the UPS. */
  source?: 'trace';
}

export interface ModelState {
  modelS: number;
  speedup: number;
  thermal: ThermalState[];
  ups: UpsState[];
}

const tenth = (value: number) => Math.round(value * 10) / 10;

/**
 * The simulated physics of a live world at a moment of its clock: each BMC's thermal model (what
 * its sensors publish) and each UPS's battery model (what upsd reports).
 */
export function modelState(world: World, clock: RunClock, wallMs = Date.now()): ModelState {
  const modelS = Math.max(0, clock.modelSecondsAt(wallMs));
  const sims = world.allSims();
  return {
    modelS: tenth(modelS),
    speedup: clock.speedup,
    thermal: sims
      .filter((s): s is StartedBmc => s instanceof StartedBmc)
      .map((bmc) => {
        const readings = bmc.readingsAt(modelS);
        const inputs = bmc.model.inputsAt(modelS);
        return {
          machine: bmc.machine,
          bmc: bmc.name,
          cooling: inputs.cooling,
          loadKw: inputs.loadKw,
          inletC: tenth(readings.inlet),
          cpuC: tenth(readings.cpu),
          exhaustC: tenth(readings.exhaust),
          criticalC: bmc.model.parameters.criticalC,
        };
      }),
    ups: sims
      .filter((s): s is StartedUps => s instanceof StartedUps)
      .map((ups) => {
        const state = ups.model.at(modelS);
        // While a recorded trace plays, upsd reports the trace's values, not the model's.
        const traced = ups.replayedAt(modelS);
        const number = (value: string | undefined, fallback: number) =>
          value === undefined || Number.isNaN(Number(value)) ? fallback : Number(value);
        const status = traced?.['ups.status'] ?? state.status.join(' ');
        return {
          ups: ups.name,
          mains: traced === undefined ? state.mains : status.split(' ').includes('OL'),
          status,
          chargePercent: tenth(number(traced?.['battery.charge'], state.chargePercent)),
          runtimeS: Math.round(number(traced?.['battery.runtime'], state.runtimeS)),
          ...(traced === undefined ? {} : { source: 'trace' as const }),
        };
      }),
  };
}

/** Records the model state as time series, so that the world's report plots what happened. */
export function sampleModelState(history: History, state: ModelState): void {
  for (const t of state.thermal) {
    const chart = `${t.machine} temperatures`;
    history.sample(`${t.machine} inlet`, t.inletC, {
      unit: 'C',
      chart,
      critical: t.criticalC.inlet,
    });
    history.sample(`${t.machine} cpu`, t.cpuC, { unit: 'C', chart, critical: t.criticalC.cpu });
    history.sample(`${t.machine} exhaust`, t.exhaustC, { unit: 'C', chart });
  }
  for (const u of state.ups) {
    history.sample(`${u.ups} charge`, u.chargePercent, { unit: '%', chart: `${u.ups} battery` });
    history.sample(`${u.ups} status`, u.status, { chart: `${u.ups} status` });
  }
}
