import { SovhError } from '../util/sovh-error.ts';
import type { World } from '../world/world.ts';
import { StartedHsm } from '../../sims/hsm/hsm.ts';
import type { Fault } from './fault.ts';

function hsmOf(world: World, name: string): StartedHsm {
  const sim = world.sim(name);
  if (!(sim instanceof StartedHsm)) {
    throw new SovhError(
      'NOT_AN_HSM',
      `simulator ${name} is a ${sim.kind}, not an hsm: the fault needs an HSM`,
    );
  }
  return sim;
}

/**
 * Cuts an HSM's cable: its p11-kit server stops, the socket its hosts hold answers no more. The
 * heal plugs it back in (the same token and keys); hosts must recover by themselves.
 */
export function cutHsmCable(hsmName: string): Fault {
  return {
    name: `hsm-cable-cut-${hsmName}`,
    description: `the cable of HSM ${hsmName} is cut: its hosts can no longer reach it`,
    async invoke(world: World) {
      const hsm = hsmOf(world, hsmName);
      await hsm.cutCable();
      return () => hsm.reconnectCable();
    },
  };
}

/**
 * Hangs an HSM: its p11-kit server stops answering while its socket stays open, so a host's call
 * waits instead of failing. The heal lets it answer again (the calls that waited complete).
 */
export function hangHsm(hsmName: string): Fault {
  return {
    name: `hsm-hang-${hsmName}`,
    description: `HSM ${hsmName} hangs: its socket accepts, its calls get no answer`,
    async invoke(world: World) {
      const hsm = hsmOf(world, hsmName);
      await hsm.hang();
      return () => hsm.release();
    },
  };
}
