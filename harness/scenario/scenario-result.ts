import type { CheckResult } from '../checks/check.ts';
import type { ResolvedTopology } from '../topology/topology-validator.ts';
import type { Attachment } from './attachment.ts';
import type { HistoryEvent } from './history.ts';
import type { ImageToolVersions } from './world-versions.ts';
import type { WorldDescription } from '../world/world.ts';

export type ScenarioStatus = 'passed' | 'failed' | 'not-applicable' | 'error';

export interface ScenarioResult {
  scenario: string;
  description: string;
  mutant?: { name: string; description: string; expectFailing: readonly string[]; caught: boolean };
  status: ScenarioStatus;
  /** Why the scenario could not run at all (capabilities missing), or the error that stopped it. */
  reason?: string;
  startedAt: string;
  durationMs: number;
  phases: {
    imagesMs: number;
    bringUpMs: number;
    runMs: number;
    checksMs: number;
    teardownMs: number;
  };
  images: Record<string, string>;
  /** The topology the world was brought up from (after the mutant's change, if any). */
  topology?: ResolvedTopology;
  world?: WorldDescription;
  checks: CheckResult[];
  history: HistoryEvent[];
  /** The stack's and simulators' output, kept as evidence. */
  logs: { source: string; text: string }[];
  /** Files the scenario kept as evidence (ScenarioContext.attach). */
  attachments?: Attachment[];
  /** The versions of the tools of note in each image of the world, read from its package database. */
  versions?: ImageToolVersions[];
}

/**
 * A scenario passed when every check passed. "not applicable" checks make it not-applicable
 * (never passed) unless another check failed; a failed or unknown check, or a run error, fails it.
 */
export function scenarioStatus(
  checks: readonly CheckResult[],
  runError: string | undefined,
): ScenarioStatus {
  if (checks.some((c) => c.status === 'fail' || c.status === 'unknown')) return 'failed';
  if (runError !== undefined) return 'error';
  if (checks.length > 0 && checks.every((c) => c.status === 'not-applicable'))
    return 'not-applicable';
  if (checks.some((c) => c.status === 'not-applicable')) return 'not-applicable';
  return 'passed';
}

/** A mutant is caught when every check it must fail did fail. */
export function mutantCaught(
  checks: readonly CheckResult[],
  expectFailing: readonly string[],
): boolean {
  return expectFailing.every((name) => checks.find((c) => c.name === name)?.status === 'fail');
}
