import { raceDeadline } from '../util/deadline.ts';
import { SovhError } from '../util/sovh-error.ts';

/** The phases of a scenario run that a watchdog bounds. */
export type BoundedPhase = 'bring-up' | 'schedule' | 'heal' | 'checks' | 'teardown';

/** How long each phase of a scenario run may take; a scenario may state its own. */
export interface PhaseBounds {
  bringUpMs: number;
  scheduleMs: number;
  healMs: number;
  checksMs: number;
  teardownMs: number;
}

/**
 * Bounds for a scenario that states none: wide enough for the slowest scenario here on a loaded
 * two-core machine (bring-up of a cell with its simulators, a schedule with two boots and a load),
 * and together under the test runner's own limit, so that the watchdog, not the runner, speaks.
 */
export const defaultPhaseBounds: PhaseBounds = {
  bringUpMs: 240_000,
  scheduleMs: 360_000,
  healMs: 60_000,
  checksMs: 60_000,
  teardownMs: 120_000,
};

export function phaseBounds(stated: Partial<PhaseBounds> | undefined): PhaseBounds {
  return { ...defaultPhaseBounds, ...stated };
}

/** A phase that passed its bound; the run goes on without waiting for it. */
export class PhaseTimeout extends SovhError {
  constructor(
    readonly phase: BoundedPhase,
    readonly boundMs: number,
    where: string,
  ) {
    super(
      'PHASE_TIMEOUT',
      `${phase} did not finish within ${String(Math.round(boundMs / 1000))} s${where === '' ? '' : ` (${where})`}`,
      { details: { phase, boundMs } },
    );
  }
}

/**
 * Runs a phase with a bound. Past it, the phase is abandoned (JavaScript cannot stop a promise:
 * the caller must make its late effects harmless, e.g. by closing the history and tearing the
 * world down under it) and a PhaseTimeout is thrown, naming where the phase was (`where()`, read
 * when the bound passes: the step that was running).
 */
export function withinPhaseBound<T>(
  phase: BoundedPhase,
  boundMs: number,
  action: () => Promise<T>,
  where: () => string = () => '',
): Promise<T> {
  return raceDeadline(action(), boundMs, () => new PhaseTimeout(phase, boundMs, where()));
}
