import { SovhError } from '../util/sovh-error.ts';
import { scenarios as builtInScenarios } from '../../scenarios/index.ts';
import type { Mutant, Scenario } from './scenario.ts';

/** A user scenario's file, or "built-in". */
export type ScenarioOrigin = 'built-in' | { file: string };

/**
 * The scenarios a run can choose from, each with the mutants that apply to the stack under test:
 * the built-in scenarios' own mutants are patches against the reference stack and apply only to
 * it; a user's scenarios keep theirs; the config's mutants join the scenario they name.
 */
export interface ScenarioCatalog {
  scenarios: readonly Scenario[];
  /** The scenarios a run makes when none is named, in order. */
  defaults: readonly string[];
  origins: ReadonlyMap<string, ScenarioOrigin>;
  /** Built-in mutants left out because the stack is not the reference stack, by scenario. */
  withheldMutants: ReadonlyMap<string, readonly Mutant[]>;
}

export interface CatalogOptions {
  userScenarios?: readonly { scenario: Scenario; file: string }[];
  userMutants?: readonly { scenario: string; mutant: Mutant }[];
  /** Whether the stack under test is the reference stack (images/host). */
  referenceStack?: boolean;
  /** The scenarios to run when none is named; default: every built-in one and every user one. */
  defaults?: readonly string[];
}

export function makeCatalog(options: CatalogOptions = {}): ScenarioCatalog {
  const reference = options.referenceStack ?? true;
  const origins = new Map<string, ScenarioOrigin>();
  const withheld = new Map<string, readonly Mutant[]>();
  const extra = (name: string) =>
    (options.userMutants ?? []).filter((m) => m.scenario === name).map((m) => m.mutant);
  const withMutants = (scenario: Scenario, own: readonly Mutant[]): Scenario => {
    const added = extra(scenario.name);
    const clash = added.find((m) => own.some((o) => o.name === m.name));
    if (clash !== undefined) {
      throw new SovhError(
        'USER_MUTANT_DUPLICATE',
        `scenario ${scenario.name} already has a mutant "${clash.name}"; give yours another name`,
      );
    }
    return { ...scenario, mutants: [...own, ...added] };
  };
  const scenarios: Scenario[] = [];
  for (const scenario of builtInScenarios) {
    origins.set(scenario.name, 'built-in');
    if (!reference && scenario.mutants.length > 0) withheld.set(scenario.name, scenario.mutants);
    scenarios.push(withMutants(scenario, reference ? scenario.mutants : []));
  }
  for (const { scenario, file } of options.userScenarios ?? []) {
    if (origins.has(scenario.name)) {
      throw new SovhError(
        'USER_SCENARIO_DUPLICATE',
        `scenario file ${file} declares "${scenario.name}", which is ${origins.get(scenario.name) === 'built-in' ? 'a built-in scenario' : 'taken'}; give it another name`,
      );
    }
    origins.set(scenario.name, { file });
    scenarios.push(withMutants(scenario, scenario.mutants));
  }
  return {
    scenarios,
    defaults: options.defaults ?? scenarios.map((s) => s.name),
    origins,
    withheldMutants: withheld,
  };
}

let builtIn: ScenarioCatalog | undefined;

/** The built-in scenarios against the reference stack: what a run without a config file has. */
export function builtInCatalog(): ScenarioCatalog {
  builtIn ??= makeCatalog();
  return builtIn;
}

/** The scenarios named on a command line, in catalog order; the defaults when none are named. */
export function selectScenarios(
  names: readonly string[],
  catalog: ScenarioCatalog = builtInCatalog(),
): Scenario[] {
  const { scenarios } = catalog;
  const wanted = names.length === 0 ? catalog.defaults : names;
  const unknown = wanted.filter((n) => !scenarios.some((s) => s.name === n));
  if (unknown.length > 0) {
    throw new SovhError(
      'UNKNOWN_SCENARIO',
      `unknown scenario ${unknown.map((n) => `"${n}"`).join(', ')}; known scenarios: ${scenarios.map((s) => s.name).join(', ')} (see \`npx sovh list\`)`,
    );
  }
  return scenarios.filter((s) => wanted.includes(s.name));
}

/** What `sovh list` shows of a scenario. */
export function describeScenarioForList(scenario: Scenario, origin: ScenarioOrigin = 'built-in') {
  return {
    name: scenario.name,
    description: scenario.description,
    origin: origin === 'built-in' ? 'built-in' : origin.file,
    needs: [...scenario.needs],
    sections: [...(scenario.sections ?? [])],
    bounds: (scenario.contractBounds ?? []).map((b) => ({
      name: b.name,
      description: b.description,
      unit: b.unit,
      contract: b.contract,
      tighter: b.tighter,
    })),
    checks: scenario.checks.map((c) => ({
      name: c.name,
      description: c.description,
      needs: [...(c.needs ?? [])],
    })),
    mutants: scenario.mutants.map((m) => ({
      name: m.name,
      description: m.description,
      expectFailing: [...m.expectFailing],
      ...(m.stopAfterStep === undefined ? {} : { stopAfterStep: m.stopAfterStep }),
      ...(m.skipSteps === undefined ? {} : { skipSteps: [...m.skipSteps] }),
      ...(m.trainFaults === undefined ? {} : { trainFaults: m.trainFaults }),
    })),
  };
}
