import type { Check } from '../../harness/checks/check.ts';
import type { ContractBound } from '../../harness/contract/contract-bounds.ts';
import type { ContractSection } from '../../harness/contract/contract-sections.ts';
import type { ParameterSpec, WorldNodes } from '../../harness/faults/fault-parameters.ts';
import type { Capability } from '../../harness/runtime/capabilities.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';

/** One fault of an incident's schedule, read and checked. */
export interface PlannedFault {
  /** When it is applied, in ms from the start of the schedule. */
  atMs: number;
  /** How long it stays in force before its heal; absent: until the end of the run. */
  forMs?: number;
  type: string;
  parameters: Readonly<Record<string, unknown>>;
  /** Where it is in the incident file, for messages: "schedule[1]". */
  path: string;
}

/** Where the schedule is with a fault. */
export type FaultMoment = 'before-fault' | 'after-fault' | 'before-heal' | 'after-heal';

/** An incident's schedule: its faults in time order, and how long it runs. */
export interface IncidentPlan {
  faults: readonly PlannedFault[];
  /** When the schedule ends, in ms from its start (the last fault, heal or wait). */
  endMs: number;
}

/** One problem of an incident file: where, what, and the fix. */
export interface IncidentProblem {
  path: string;
  problem: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each spec keeps its own type
export type ParameterSpecs = Readonly<Record<string, ParameterSpec<any>>>;

/**
 * The evidence some built-in checks judge, gathered around any timed schedule of faults: what is
 * set up before the schedule, watched while it runs and recorded after it, as the built-in
 * scenario that owns the checks records it. Checks of one kit share one gathering.
 */
export interface EvidenceKit {
  name: string;
  /** What is gathered, for `sovh list`-like texts and the docs. */
  description: string;
  needs: readonly Capability[];
  sections: readonly ContractSection[];
  contractBounds: readonly ContractBound[];
  /** Parameters of the gathering, given on any of its checks (all must agree). */
  parameters: ParameterSpecs;
  /** What the schedule must hold for the evidence to exist, as problems with their fix. */
  planProblems(
    plan: IncidentPlan,
    values: Readonly<Record<string, unknown>>,
    nodes: WorldNodes,
  ): string[];
  start(context: ScenarioContext, values: Readonly<Record<string, unknown>>): Promise<KitWatch>;
}

/** A kit's gathering while the schedule runs. */
export interface KitWatch {
  /** Runs alongside the schedule, which started at `startedAtMs` (wall clock). */
  during(plan: IncidentPlan, startedAtMs: number): Promise<void>;
  /**
   * Called around each fault of the schedule and its heal: before a fault is applied the kit
   * stops what the fault would take away; the moments are the fault's window as the kit sees it.
   */
  at(moment: FaultMoment, fault: PlannedFault): Promise<void>;
  /** After the schedule, before any heal: records what the checks read. */
  finish(): Promise<void>;
  /** When the run stops early: stops every poller. */
  abort(): Promise<void>;
}

/** A built-in check an incident file may name, with the kit that gathers its evidence. */
export interface CheckType {
  name: string;
  /** Which built-in scenario the check comes from (its code is that scenario's). */
  from: string;
  kit: EvidenceKit;
  make(): Check;
}
