import { machineBmcName } from '../topology/machine-devices.ts';
import { SovhError } from '../util/sovh-error.ts';
import { StartedBmc } from '../../sims/bmc/bmc.ts';
import { StartedUps } from '../../sims/ups/ups.ts';
import { requireSimulatedBmc, requireSimulatedUps } from '../devices/run-devices.ts';
import type { World } from './world.ts';

/**
 * The simulated BMC of a machine declared with `bmc` in the topology: what every step that drives
 * the thermal model goes through. A real BMC in the profile makes the scenario not applicable.
 */
export function machineBmc(world: World, machine: string): StartedBmc {
  requireSimulatedBmc(world.devices, machine);
  const sim = world.allSims().find((s) => s.name === machineBmcName(machine));
  if (!(sim instanceof StartedBmc)) {
    throw new SovhError(
      'NO_BMC',
      `machine "${machine}" has no BMC in this world; give it \`bmc: {}\` in the topology`,
    );
  }
  return sim;
}

/** The UPS that feeds a machine (`machines[].ups`). */
export function machineUps(world: World, machine: string): StartedUps {
  const name = world.topology.machines.find((m) => m.name === machine)?.ups;
  if (name !== undefined) requireSimulatedUps(world.devices, name);
  const sim = name === undefined ? undefined : world.allSims().find((s) => s.name === name);
  if (!(sim instanceof StartedUps)) {
    throw new SovhError(
      'NO_UPS',
      `machine "${machine}" is fed by no UPS in this world; give it \`ups: <a service of kind ups>\``,
    );
  }
  return sim;
}

/** The machines a UPS feeds. */
export function machinesFedBy(world: World, ups: string): string[] {
  return world.topology.machines.filter((m) => m.ups === ups).map((m) => m.name);
}
