import { lastObservation, MissingEvidence } from '../checks/check.ts';
import { looserThanContract, type ContractBound } from '../contract/contract-bounds.ts';
import { SovhError } from '../util/sovh-error.ts';
import type { History } from './history.ts';
import { observationKey } from './observation-key.ts';
import type { Scenario } from './scenario.ts';

/** The bounds a run holds the stack to, recorded at its start: the evidence of what was asked. */
export const boundsInForce = observationKey<Record<string, number>>('bounds-in-force');

/**
 * The value of a bound in a run: the stack's tighter one when its config gave one, else the
 * contract's. Checks and schedules read it from the history, so that a report shows it.
 */
export function boundValue(history: History, bound: ContractBound): number {
  try {
    return lastObservation(history, boundsInForce).data[bound.name] ?? bound.contract;
  } catch (error) {
    // A history made without the runner (a unit test of a check) holds the contract's bound.
    if (error instanceof MissingEvidence) return bound.contract;
    throw error;
  }
}

/**
 * The bounds of a scenario with a stack's own values laid over the contract's. A value for a
 * bound the scenario does not have, or one looser than the contract, is bad input, named with
 * where it came from.
 */
export function boundsFor(
  scenario: Pick<Scenario, 'name' | 'contractBounds'>,
  stated: Readonly<Record<string, number>> | undefined,
  source: string,
): Record<string, number> {
  const bounds = scenario.contractBounds ?? [];
  const values = Object.fromEntries(bounds.map((b) => [b.name, b.contract]));
  for (const [name, value] of Object.entries(stated ?? {})) {
    const bound = bounds.find((b) => b.name === name);
    if (bound === undefined) {
      throw new SovhError(
        'BOUND_UNKNOWN',
        `${source}: bounds.${scenario.name}.${name}: scenario ${scenario.name} has no such bound; ${bounds.length === 0 ? 'it has none' : `its bounds: ${bounds.map((b) => `${b.name} (${b.unit}, contract ${b.contract})`).join(', ')}`}`,
      );
    }
    const looser = looserThanContract(bound, value);
    if (looser !== undefined)
      throw new SovhError(
        'BOUND_LOOSER_THAN_CONTRACT',
        `${source}: bounds.${scenario.name}.${name}: ${looser}`,
      );
    values[name] = value;
  }
  return values;
}
