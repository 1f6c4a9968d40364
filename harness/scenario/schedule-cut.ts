import { runChecks, type Check, type CheckResult } from '../checks/check.ts';
import type { CapabilityReport } from '../runtime/capabilities.ts';
import { SovhError } from '../util/sovh-error.ts';
import type { Attachment } from './attachment.ts';
import { History, requestKey, type HistoryEvent } from './history.ts';

/**
 * A mutant run need not play the whole schedule: it must show that the checks it names fail, and
 * once the step that records their last evidence has ended, the rest of the schedule cannot
 * change their verdicts. `Mutant.stopAfterStep` names that step; the run stops there, and its
 * other checks are "not judged". Whether the named step really ends the named checks' evidence is
 * not taken on trust: `scheduleCutProblems` proves it on a reference run's history.
 */

/** Thrown by ScenarioContext.step once the step a mutant's schedule stops after has ended. */
export class ScheduleCutShort extends SovhError {
  constructor(readonly afterStep: string) {
    super(
      'SCHEDULE_CUT_SHORT',
      `the schedule stops after step "${afterStep}", where the mutant's named checks are decided`,
    );
  }
}

/** The history observation that says where a mutant run stopped its schedule. */
export const scheduleCutObservation = 'schedule-cut-short';

/** The history observation that says a fault train played fewer faults (`Mutant.trainFaults`). */
export const trainCutObservation = 'fault-train-cut-short';

/** The history observation that names a step a mutant run left out (`Mutant.skipSteps`). */
export const stepSkippedObservation = 'schedule-step-skipped';

/**
 * How a mutant run was shortened: stopped after a step, with steps left out, or playing fewer
 * faults of its trains (any of them together).
 */
export interface MutantCut {
  afterStep?: string;
  skippedSteps?: readonly string[];
  trainFaults?: number;
}

/** Why a cut run's other checks are not judged, in the words of its cut. */
export function describeCut(cut: MutantCut): string {
  const parts = [
    ...(cut.skippedSteps === undefined || cut.skippedSteps.length === 0
      ? []
      : [`leaves out step(s) ${cut.skippedSteps.map((s) => `"${s}"`).join(', ')}`]),
    ...(cut.afterStep === undefined ? [] : [`stops after step "${cut.afterStep}"`]),
    ...(cut.trainFaults === undefined
      ? []
      : [`plays ${cut.trainFaults} fault(s) of each fault train`]),
  ];
  const decided = cut.afterStep !== undefined ? 'where' : 'on which';
  return `this mutant run ${parts.join(' and ')}, ${decided} the checks it names are decided`;
}

/**
 * The checks of a cut-short mutant run: those the mutant names keep their verdicts; every other
 * check did not see the rest of the schedule, so it is "unknown", never a pass or a fail.
 */
export function notJudgedAfterCut(
  checks: readonly CheckResult[],
  expectFailing: readonly string[],
  cut: MutantCut,
): CheckResult[] {
  const why = describeCut(cut);
  return checks.map((check) =>
    expectFailing.includes(check.name)
      ? check
      : { ...check, status: 'unknown', summary: `not judged: ${why}`, evidenceAtMs: [] },
  );
}

interface RecordedRun {
  history: readonly HistoryEvent[];
  attachments?: readonly Attachment[];
}

interface CutMutant {
  name: string;
  expectFailing: readonly string[];
  stopAfterStep?: string;
}

/**
 * Proves each mutant's `stopAfterStep` on the history of a reference run (a stack that passed):
 * the step ran once, alone and to its end; every event any of the mutant's named checks asks for
 * (found or not: History.startRequestTracking) was recorded by then; and each of those checks
 * gives the same verdict, word for word, on the history cut after the step as on the whole.
 * Returns one line per problem; none means every cut is sound.
 */
export async function scheduleCutProblems(
  scenario: { name: string; checks: readonly Check[]; mutants: readonly CutMutant[] },
  reference: RecordedRun,
  capabilities: CapabilityReport,
): Promise<string[]> {
  const problems: string[] = [];
  for (const mutant of scenario.mutants) {
    if (mutant.stopAfterStep === undefined) continue;
    const where = `${scenario.name} mutant ${mutant.name} stops after step "${mutant.stopAfterStep}"`;
    const cut = cutPoint(reference.history, mutant.stopAfterStep);
    if (typeof cut === 'string') {
      problems.push(`${where}: ${cut}`);
      continue;
    }
    const after = reference.history.filter((e) => e.seq > cut.seq);
    const prefix = reference.history.filter((e) => e.seq <= cut.seq);
    const kept = new Set(prefix.filter((e) => e.kind === 'attachment').map((e) => e.name));
    const attachments = reference.attachments ?? [];
    for (const name of mutant.expectFailing) {
      const check = scenario.checks.find((c) => c.name === name);
      if (check === undefined) continue;
      const whole = History.of(reference.history, attachments);
      whole.startRequestTracking();
      const [full] = await runChecks([check], whole, capabilities);
      const requested = new Set(whole.stopRequestTracking());
      if (full?.status !== 'pass') {
        problems.push(
          `${where}: check ${name} did not pass on the reference run (${full?.status ?? 'not run'}: ${full?.summary ?? ''}), so the cut cannot be proved on it`,
        );
        continue;
      }
      const late = after.find((e) => requested.has(requestKey(e.kind, e.name)));
      if (late !== undefined) {
        problems.push(
          `${where}: check ${name} reads ${late.kind} "${late.name}", recorded at +${late.atMs} ms, after the step ended (+${cut.atMs} ms)`,
        );
        continue;
      }
      const cutHistory = History.of(
        prefix,
        attachments.filter((a) => kept.has(a.name)),
      );
      const [short] = await runChecks([check], cutHistory, capabilities);
      if (short?.status !== full.status || short.summary !== full.summary) {
        problems.push(
          `${where}: check ${name} judges the cut history otherwise: "${short?.status ?? '?'}: ${short?.summary ?? ''}" instead of "${full.status}: ${full.summary}"`,
        );
      }
    }
  }
  return problems;
}

/** The step's end in the history, or why it cannot be a cut (absent, repeated, failed, not alone). */
function cutPoint(history: readonly HistoryEvent[], step: string): HistoryEvent | string {
  const starts = history.filter((e) => e.kind === 'step' && e.name === step);
  const ends = history.filter((e) => e.kind === 'step-end' && e.name === step);
  if (starts.length === 0) return 'no such step in the reference run';
  if (starts.length > 1 || ends.length > 1)
    return `the step ran ${starts.length} times in the reference run; a cut needs a step that runs once`;
  const end = ends[0];
  if (end === undefined) return 'the step never ended in the reference run';
  if ((end.data as { ok?: boolean } | undefined)?.ok !== true)
    return 'the step failed in the reference run';
  const open = new Map<string, number>();
  for (const event of history) {
    if (event.seq > end.seq) break;
    if (event.kind === 'step') open.set(event.name, (open.get(event.name) ?? 0) + 1);
    if (event.kind === 'step-end') open.set(event.name, (open.get(event.name) ?? 0) - 1);
  }
  const beside = [...open].filter(([, count]) => count > 0).map(([name]) => `"${name}"`);
  if (beside.length > 0)
    return `step ${beside.join(', ')} was still running when it ended; a cut needs a step that runs alone`;
  return end;
}
