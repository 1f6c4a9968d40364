import type { CheckResult } from '../checks/check.ts';
import type { RunSession } from '../runtime/run-session.ts';
import { isSovhError } from '../util/sovh-error.ts';

/**
 * A phase of the run raced against the faults of its world that did not come from the run (see
 * RunSession.faulted): a container killed from outside or a lost engine ends the phase at once,
 * with the fault's error, instead of letting each of its waits run to its own bound.
 */
export function untilWorldFault<T>(session: RunSession, phase: Promise<T>): Promise<T> {
  return Promise.race([phase, session.faulted]);
}

/** Whether an error is a fault of the world that did not come from the run. */
export function isWorldFault(error: unknown): boolean {
  return isSovhError(error, 'CONTAINER_KILLED') || isSovhError(error, 'ENGINE_LOST');
}

/** Whether the engine itself stopped answering (nothing more can be asked of it). */
export function isEngineLost(error: unknown): boolean {
  return isSovhError(error, 'ENGINE_LOST');
}

/**
 * The checks of a run whose world was hit from outside: every one is "unknown", naming the fault.
 * A pass cannot stand (the evidence that would fail it may never have come), and neither can a
 * failure: what was recorded around the fault may be the fault's doing (a killed HSM that stops
 * answering), and a failure blamed on the stack would judge a mutant caught on no evidence.
 */
export function faultedChecks(checks: readonly CheckResult[], fault: Error): CheckResult[] {
  return checks.map((check) =>
    check.status === 'not-applicable'
      ? check
      : { ...check, status: 'unknown', summary: `unknown: ${fault.message}` },
  );
}
