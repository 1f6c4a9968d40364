import type { Check } from '../checks/check.ts';
import type { CapabilityReport } from '../runtime/capabilities.ts';
import type { Attachment } from './attachment.ts';
import type { HistoryEvent } from './history.ts';
import { scheduleCutProblems } from './schedule-cut.ts';

/** Where a mutant's schedule could stop, proved on one reference run, and what that would save. */
export interface CutCandidate {
  mutant: string;
  /** The step it declares now, if any. */
  declared?: string;
  /** The earliest step whose end decides every check the mutant names, if any does. */
  earliest?: string;
  /** Schedule time after that step's end, in the reference run (what a cut there saves). */
  savedMs: number;
  /** The same for the declared step, if any. */
  declaredSavedMs: number;
}

interface RecordedRun {
  history: readonly HistoryEvent[];
  attachments?: readonly Attachment[];
}

interface Candidate {
  name: string;
  expectFailing: readonly string[];
  stopAfterStep?: string;
}

/**
 * For each mutant, tries every step of a passing reference run in order, and keeps the first that
 * `scheduleCutProblems` proves: the same proof the scenario's tests apply to a declared cut. A
 * candidate is not yet a cut: the mutant must still be caught on the shorter run, which only its
 * own run shows. Used to find where whole schedules are played for nothing.
 */
export async function findCuts(
  scenario: { name: string; checks: readonly Check[]; mutants: readonly Candidate[] },
  reference: RecordedRun,
  capabilities: CapabilityReport,
): Promise<CutCandidate[]> {
  const steps = stepEnds(reference.history);
  const lastMs = reference.history.reduce((latest, e) => Math.max(latest, e.atMs), 0);
  const savedAfter = (step: string | undefined): number => {
    const end = steps.find((s) => s.name === step);
    return end === undefined ? 0 : Math.max(0, lastMs - end.atMs);
  };
  const candidates: CutCandidate[] = [];
  for (const mutant of scenario.mutants) {
    let earliest: string | undefined;
    for (const step of steps) {
      const trial = { ...scenario, mutants: [{ ...mutant, stopAfterStep: step.name }] };
      if ((await scheduleCutProblems(trial, reference, capabilities)).length === 0) {
        earliest = step.name;
        break;
      }
    }
    candidates.push({
      mutant: mutant.name,
      ...(mutant.stopAfterStep === undefined ? {} : { declared: mutant.stopAfterStep }),
      ...(earliest === undefined ? {} : { earliest }),
      savedMs: savedAfter(earliest),
      declaredSavedMs: savedAfter(mutant.stopAfterStep),
    });
  }
  return candidates;
}

/** The steps that ran once, in the order they ended (a step run twice can never be a cut). */
function stepEnds(history: readonly HistoryEvent[]): { name: string; atMs: number }[] {
  const counts = new Map<string, number>();
  for (const e of history) if (e.kind === 'step') counts.set(e.name, (counts.get(e.name) ?? 0) + 1);
  return history
    .filter((e) => e.kind === 'step-end' && counts.get(e.name) === 1)
    .map((e) => ({ name: e.name, atMs: e.atMs }));
}
