import { SovhError } from '../harness/util/sovh-error.ts';

/**
 * A timeline that reached the simulator after the change it schedules would make the simulator
 * skip states (the engine was too slow): the run stops with an error rather than check the stack
 * against states it never saw.
 */
export function assertInTime(
  simulator: string,
  uploadedAtMs: number,
  changeWallMs: number,
  leadMs: number,
): void {
  if (uploadedAtMs > changeWallMs) {
    throw new SovhError(
      'SIM_TIMELINE_LATE',
      `${simulator}'s new timeline reached it ${uploadedAtMs - changeWallMs}ms after the change it schedules ` +
        `(lead ${leadMs}ms): the engine is too slow for this clock; run again on a less loaded machine, or lower the speedup`,
    );
  }
}
