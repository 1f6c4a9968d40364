import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Mutant, Scenario } from '../scenario/scenario.ts';
import { parseStackSource } from '../stack/stack-source.ts';
import { SovhError } from '../util/sovh-error.ts';
import type { UserMutantConfig } from './config-schema.ts';

/** A mutant of the user's stack, for the scenario that must catch it. */
export interface UserMutant {
  scenario: string;
  mutant: Mutant;
}

/**
 * Turns the config's mutants into the scenarios' mutants. A mutant whose scenario or expected
 * check does not exist, or whose patch file is missing, is bad input: it could never be caught,
 * and a negative control that cannot fail proves nothing.
 */
export function userMutants(
  configs: readonly UserMutantConfig[],
  scenarios: readonly Scenario[],
  baseDir: string,
  source: string,
): UserMutant[] {
  const mutants: UserMutant[] = [];
  configs.forEach((config, i) => {
    const where = `${source}: mutants[${i}] (${config.name})`;
    const scenario = scenarios.find((s) => s.name === config.scenario);
    if (scenario === undefined) {
      throw new SovhError(
        'USER_MUTANT_UNKNOWN_SCENARIO',
        `${where}: no scenario "${config.scenario}"; known scenarios: ${scenarios.map((s) => s.name).join(', ')}`,
      );
    }
    const checkNames = scenario.checks.map((c) => c.name);
    const unknown = config.expectFailing.filter((name) => !checkNames.includes(name));
    if (unknown.length > 0) {
      throw new SovhError(
        'USER_MUTANT_UNKNOWN_CHECK',
        `${where}: scenario ${scenario.name} has no check ${unknown.map((n) => `"${n}"`).join(', ')}; its checks: ${checkNames.join(', ')} (\`npx sovh list\`)`,
      );
    }
    if (mutants.some((m) => m.scenario === scenario.name && m.mutant.name === config.name)) {
      throw new SovhError(
        'USER_MUTANT_DUPLICATE',
        `${where}: a mutant of ${scenario.name} by this name is declared twice`,
      );
    }
    const patch = config.patch === undefined ? undefined : resolve(baseDir, config.patch);
    if (patch !== undefined && !existsSync(patch)) {
      throw new SovhError(
        'USER_MUTANT_PATCH_NOT_FOUND',
        `${where}: patch file ${patch} does not exist; give a unified diff against the stack image (paths from /), relative to ${baseDir}`,
      );
    }
    mutants.push({
      scenario: scenario.name,
      mutant: {
        name: config.name,
        description:
          config.description ??
          `a broken variant of the stack (${config.patch ?? JSON.stringify(config.stack)})`,
        expectFailing: config.expectFailing,
        stackPatch: patch,
        stack: config.stack === undefined ? undefined : parseStackSource(config.stack, baseDir),
      },
    });
  });
  return mutants;
}
