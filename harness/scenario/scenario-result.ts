import type { CheckResult } from '../checks/check.ts';
import type { ResolvedTopology } from '../topology/topology-validator.ts';
import type { TimeProfile } from '../util/time-profile.ts';
import type { Attachment } from './attachment.ts';
import type { HistoryEvent } from './history.ts';
import type { ImageToolVersions } from './world-versions.ts';
import type { WorldDescription } from '../world/world.ts';

export type ScenarioStatus = 'passed' | 'failed' | 'not-applicable' | 'error';

/**
 * What a mutant run says of the harness: the checks it names all failed (caught), one of them
 * passed on the broken stack (escaped: a defect of the suite), or the run could not decide
 * (unjudged: not applicable here, unknown, or the run stopped), which is neither.
 */
export type MutantVerdict = 'caught' | 'escaped' | 'unjudged';

export interface MutantResult {
  name: string;
  description: string;
  expectFailing: readonly string[];
  /** verdict === 'caught', kept for readers of older results. */
  caught: boolean;
  verdict: MutantVerdict;
  /** Why, check by check: "kek-sealed-to-pcrs fail; refused-... not applicable: ...". */
  verdictDetail: string;
}

export interface ScenarioResult {
  scenario: string;
  description: string;
  mutant?: MutantResult;
  status: ScenarioStatus;
  /** Why the scenario could not run at all (capabilities missing), or the error that stopped it. */
  reason?: string;
  startedAt: string;
  /**
   * The seed the run's draws came from (`sovh run --seed`, harness/util/seeded-random.ts); absent
   * in results written before runs had seeds.
   */
  seed?: number;
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
  /** The world left running, not healed, by `sovh run --keep=on-failure`, and why. */
  kept?: { session: string; reason: string };
  /** Where the run's time went: phases and engine calls (absent in results written before it). */
  profile?: TimeProfile;
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

/**
 * Judges a mutant run: caught when every check it must fail failed; escaped when one of them
 * passed (the broken stack got through); otherwise unjudged, naming what kept each check from a
 * verdict (not applicable, unknown, missing, or the run's error).
 */
export function judgeMutant(
  checks: readonly CheckResult[],
  expectFailing: readonly string[],
  runError?: string,
): { verdict: MutantVerdict; verdictDetail: string } {
  const expected = expectFailing.map((name) => {
    const check = checks.find((c) => c.name === name);
    return { name, status: check?.status ?? 'missing', summary: check?.summary ?? 'not run' };
  });
  const describe = (items: typeof expected) =>
    items.map((e) => `${e.name} ${e.status}${e.status === 'fail' ? '' : `: ${e.summary}`}`);
  if (expected.every((e) => e.status === 'fail'))
    return { verdict: 'caught', verdictDetail: describe(expected).join('; ') };
  const passed = expected.filter((e) => e.status === 'pass');
  if (passed.length > 0)
    return {
      verdict: 'escaped',
      verdictDetail: `passed on the broken stack: ${describe(passed).join('; ')}`,
    };
  const open = expected.filter((e) => e.status !== 'fail');
  const why = describe(open).join('; ');
  return {
    verdict: 'unjudged',
    verdictDetail: runError === undefined ? why : `${why}; the run stopped: ${runError}`,
  };
}

/** The verdict of a mutant result, also of results written before verdicts existed. */
export function verdictOfMutant(mutant: {
  caught: boolean;
  verdict?: MutantVerdict;
}): MutantVerdict {
  return mutant.verdict ?? (mutant.caught ? 'caught' : 'escaped');
}

/** How each verdict reads in reports: the word and whether it is good news for the suite. */
export const mutantVerdictLabels: Record<MutantVerdict, { text: string; ok: boolean }> = {
  caught: { text: 'caught', ok: true },
  escaped: { text: 'ESCAPED', ok: false },
  unjudged: { text: 'could not be judged', ok: false },
};

/** A mutant is caught when every check it must fail did fail. */
export function mutantCaught(
  checks: readonly CheckResult[],
  expectFailing: readonly string[],
): boolean {
  return expectFailing.every((name) => checks.find((c) => c.name === name)?.status === 'fail');
}
