import type { CoolingState } from '../../sims/bmc/thermal-model.ts';
import { machineBmc } from '../world/machine-devices.ts';
import type { World } from '../world/world.ts';
import type { Fault } from './fault.ts';

/**
 * The room's cooling around a machine fails (or only degrades): its thermal model's cooling input
 * changes, and its BMC's sensors follow the new curve. The heal turns the cooling back on. The
 * world's clock must be running (the BMC driven), as in a live world or a thermal scenario.
 */
export function coolingFailure(
  machineName: string,
  state: Exclude<CoolingState, 'on'> = 'off',
): Fault {
  return {
    name: `cooling-${state}-${machineName}`,
    description: `the cooling of machine ${machineName}'s room is ${state}`,
    async invoke(world: World) {
      const bmc = machineBmc(world, machineName);
      await bmc.setInputs({ cooling: state });
      return async () => {
        await bmc.setInputs({ cooling: 'on' });
      };
    },
  };
}
