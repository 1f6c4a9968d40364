import { SovhError } from '../util/sovh-error.ts';
import { scenarios } from '../../scenarios/index.ts';
import type { Scenario } from './scenario.ts';

/** The scenarios named on a command line, in suite order; all of them when none are named. */
export function selectScenarios(names: readonly string[]): Scenario[] {
  if (names.length === 0) return [...scenarios];
  const unknown = names.filter((n) => !scenarios.some((s) => s.name === n));
  if (unknown.length > 0) {
    throw new SovhError(
      'UNKNOWN_SCENARIO',
      `unknown scenario ${unknown.map((n) => `"${n}"`).join(', ')}; known scenarios: ${scenarios.map((s) => s.name).join(', ')} (see \`npx sovh list\`)`,
    );
  }
  return scenarios.filter((s) => names.includes(s.name));
}

/** What `sovh list` shows of a scenario. */
export function describeScenarioForList(scenario: Scenario) {
  return {
    name: scenario.name,
    description: scenario.description,
    needs: [...scenario.needs],
    checks: scenario.checks.map((c) => ({
      name: c.name,
      description: c.description,
      needs: [...(c.needs ?? [])],
    })),
    mutants: scenario.mutants.map((m) => ({
      name: m.name,
      description: m.description,
      expectFailing: [...m.expectFailing],
    })),
  };
}
