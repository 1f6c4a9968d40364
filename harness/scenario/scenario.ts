import type { Check } from '../checks/check.ts';
import type { ContractBound } from '../contract/contract-bounds.ts';
import type { ContractSection } from '../contract/contract-sections.ts';
import type { Capability } from '../runtime/capabilities.ts';
import type { StackSource } from '../stack/stack-source.ts';
import type { TopologyInput } from '../topology/topology-schema.ts';
import type { PhaseBounds } from './phase-watchdog.ts';
import type { ScenarioContext } from './scenario-context.ts';

/** A deliberately broken variant of the stack (or of the world) that the scenario must fail. */
export interface Mutant {
  name: string;
  description: string;
  /** The checks that must fail on this mutant; a mutant any of them passes on is not caught. */
  expectFailing: readonly string[];
  /**
   * A unified diff applied to the stack image's filesystem (paths from /, `patch -p1`), as an
   * absolute path. The built-in scenarios' mutants patch the reference stack (images/host) and run
   * only against it; a user's mutants (sovh.config.ts) patch the user's stack.
   */
  stackPatch?: string;
  /** Another stack image that is the broken variant: an image, an archive or a Dockerfile directory. */
  stack?: StackSource;
  /** A change to the topology, for defects of the world rather than of the stack. */
  topology?: (topology: TopologyInput) => TopologyInput;
  /**
   * The schedule step that records the last evidence of the checks in `expectFailing`: the mutant
   * run stops once it has ended, and its other checks are "not judged" (schedule-cut.ts). The
   * scenario's tests prove the cut on the reference run; absent, the whole schedule runs.
   */
  stopAfterStep?: string;
  /**
   * Steps of the schedule the mutant run does not play: steps that neither record its named
   * checks' evidence nor bring the world to the state their evidence needs (each run with
   * `ScenarioContext.skippableStep`, and back to the state it found). Its other checks are then
   * "not judged". Not taken on trust: the scenario's tests run the reference stack on the same
   * shortened schedule, which must pass the named checks, and prove `stopAfterStep` on that run.
   */
  skipSteps?: readonly string[];
  /**
   * How many faults of each fault train (`ScenarioContext.faultTrain`) the mutant run plays: a
   * defect that its named checks see at every fault needs only the first few, not a train sized
   * to catch a watch by chance. Its other checks are then "not judged"; the scenario's tests show
   * the mutant caught on the shorter train. Absent, or with `sovh run --full-schedule`: whole.
   */
  trainFaults?: number;
}

/**
 * A scenario: a topology, a schedule of steps and faults that records observations, checks that
 * read them, and the mutants the checks must catch.
 */
export interface Scenario {
  name: string;
  description: string;
  /** What the kernel and engine must offer; without it every check is "not applicable". */
  needs: readonly Capability[];
  /**
   * The contract sections the stack must implement for this scenario to apply to it; against a
   * stack that does not declare one, every check is "not applicable: stack does not implement
   * <section>". Absent (a user's scenario): it applies to every stack.
   */
  sections?: readonly ContractSection[];
  topology: TopologyInput;
  run(context: ScenarioContext): Promise<void>;
  checks: readonly Check[];
  mutants: readonly Mutant[];
  /**
   * The checks compare measurements (throughput, latency) with a tight threshold: run it with no
   * other world up, so that their load does not fall on one side of a comparison only.
   */
  measuresAlone?: boolean;
  /**
   * How long each phase may take (bring-up, schedule, heal, checks, teardown), where the
   * defaults do not fit; past a bound the phase is abandoned and the checks it left open are
   * "unknown", naming the phase.
   */
  bounds?: Partial<PhaseBounds>;
  /**
   * Bounds the contract states for the scenario's measurements; a stack's config may tighten
   * them. The schedule and the checks read the value in force with `boundValue(history, bound)`.
   */
  contractBounds?: readonly ContractBound[];
}

/** Declares a scenario and checks that it is coherent (mutants name real checks, names unique). */
export function defineScenario(scenario: Scenario): Scenario {
  const checkNames = new Set(scenario.checks.map((c) => c.name));
  if (checkNames.size !== scenario.checks.length) {
    throw new TypeError(`scenario ${scenario.name}: two checks share a name`);
  }
  if (scenario.mutants.length === 0) {
    throw new TypeError(
      `scenario ${scenario.name}: declare at least one mutant it must fail (a negative control)`,
    );
  }
  for (const mutant of scenario.mutants) {
    if (mutant.expectFailing.length === 0) {
      throw new TypeError(
        `scenario ${scenario.name}: mutant ${mutant.name} names no check it must fail`,
      );
    }
    for (const name of mutant.expectFailing) {
      if (!checkNames.has(name)) {
        throw new TypeError(
          `scenario ${scenario.name}: mutant ${mutant.name} expects check "${name}" to fail, but the ` +
            `scenario has no such check (checks: ${[...checkNames].join(', ')})`,
        );
      }
    }
    if (mutant.skipSteps !== undefined) {
      if (mutant.skipSteps.length === 0)
        throw new TypeError(
          `scenario ${scenario.name}: mutant ${mutant.name} gives an empty skipSteps (leave it out to play every step)`,
        );
      if (mutant.stopAfterStep !== undefined && mutant.skipSteps.includes(mutant.stopAfterStep))
        throw new TypeError(
          `scenario ${scenario.name}: mutant ${mutant.name} stops after step "${mutant.stopAfterStep}", which it also skips`,
        );
    }
    if (
      mutant.stackPatch === undefined &&
      mutant.stack === undefined &&
      mutant.topology === undefined
    ) {
      throw new TypeError(
        `scenario ${scenario.name}: mutant ${mutant.name} changes nothing (give stackPatch, stack or topology)`,
      );
    }
  }
  return scenario;
}
