/**
 * The public face of the `sovh` package, for a stack's own repository: its config file, its own
 * scenarios and their checks. `import { defineConfig, defineScenario } from 'sovh'`; the probes,
 * the faults and the contract also have entries of their own (`sovh/probes`, `sovh/faults`,
 * `sovh/contract`). Everything here is TypeScript that tsx runs as it is: no build step.
 */
export { defineConfig, type SovhConfig } from './config/config-schema.ts';
export { defineScenario, type Mutant, type Scenario } from './scenario/scenario.ts';
export type { ScenarioContext } from './scenario/scenario-context.ts';
export type { History, HistoryEvent } from './scenario/history.ts';
export { observationKey, type ObservationKey } from './scenario/observation-key.ts';
export { boundValue } from './scenario/scenario-bounds.ts';
export { lastObservation, MissingEvidence, type Check, type CheckResult } from './checks/check.ts';
export {
  fail,
  pass,
  verdictOf,
  type Evidence,
  type Verdict,
  type VerdictStatus,
} from './checks/verdict.ts';
export type { TopologyInput } from './topology/topology-schema.ts';
export type { Capability } from './runtime/capabilities.ts';
export type { Fault, Heal } from './faults/fault.ts';
export type { World } from './world/world.ts';
export type { HostVm } from './world/host-vm.ts';
export { waitUntil, type WaitOptions } from './util/wait-until.ts';
export { SovhError } from './util/sovh-error.ts';
export * from './contract/index.ts';
