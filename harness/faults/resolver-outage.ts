import type { World } from '../world/world.ts';
import { asResolver } from '../../sims/resolver/resolver.ts';
import type { Fault } from './fault.ts';

/**
 * A resolver goes down: its clients' queries get no answer at all (dropped on arrival, as a dead
 * or cut-off server looks). The heal brings it back with the same records. What a host does
 * meanwhile (fail closed, or fall back to another resolver) is what the scenario watches.
 */
export function resolverOutage(resolverName: string): Fault {
  return {
    name: `resolver-outage-${resolverName}`,
    description: `resolver ${resolverName} stops answering: no query reaches it`,
    async invoke(world: World) {
      const resolver = asResolver(world.sim(resolverName));
      await resolver.stopAnswering();
      return () => resolver.answerAgain();
    },
  };
}
