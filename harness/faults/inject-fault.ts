import type { World } from '../world/world.ts';
import type { Fault, Heal } from './fault.ts';
import { faultType, resolveFaultParameters } from './fault-registry.ts';
import { worldNodes } from './world-nodes.ts';

/** Which registered fault a Fault was made from, and with what: recorded with it in the history. */
export interface FaultOrigin {
  type: string;
  parameters: Readonly<Record<string, unknown>>;
}

/** What applies a fault and records it: a scenario's context (a live world uses one too). */
export interface FaultTarget {
  readonly world: World;
  inject(fault: Fault, origin?: FaultOrigin): Promise<Heal>;
}

/**
 * Builds a registered fault by name for a running world: its parameters read as `sovh inject`
 * reads them (unknown names, bad values and nodes the world lacks are bad input; a node left out
 * is the world's only one of its kind).
 */
export function registeredFault(
  typeName: string,
  given: Readonly<Record<string, unknown>>,
  world: World,
): { fault: Fault; origin: FaultOrigin } {
  const type = faultType(typeName);
  const parameters = resolveFaultParameters(type, given, worldNodes(world));
  return { fault: type.make(parameters, world), origin: { type: type.name, parameters } };
}

/**
 * The one way a scenario, an incident file and `sovh inject` break a world: a fault of the
 * registry, by name, applied through the context's `inject`, so that the history records each
 * the same way (the fault, its kind and parameters, and its heal).
 */
export async function injectFault(
  target: FaultTarget,
  typeName: string,
  given: Readonly<Record<string, unknown>> = {},
): Promise<Heal> {
  const { fault, origin } = registeredFault(typeName, given, target.world);
  return target.inject(fault, origin);
}
