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
        const readings = bmc.model.readingsAt(modelS);
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
        return {
          ups: ups.name,
          mains: state.mains,
          status: state.status.join(' '),
          chargePercent: tenth(state.chargePercent),
          runtimeS: Math.round(state.runtimeS),
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
