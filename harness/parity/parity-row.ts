/** One row of a parity table, and how a row is made from both sides' values (pure). */

export type RowVerdict = 'same' | 'differs' | 'only-simulator' | 'only-real';

/** One compared item: both sides' values, the verdict, and why it could change a check's verdict. */
export interface ParityRow {
  item: string;
  simulator: string;
  real: string;
  verdict: RowVerdict;
  /** Set when the difference could change a scenario's verdict: the reason. */
  couldChangeVerdict?: string;
}

export const absent = '(absent)';

/** Compares a value present on both, one side only, or neither. */
export function row(
  item: string,
  simulator: string | undefined,
  real: string | undefined,
  couldChange: (verdict: RowVerdict) => string | undefined,
  equal: (a: string, b: string) => boolean = (a, b) => a === b,
): ParityRow | undefined {
  if (simulator === undefined && real === undefined) return undefined;
  const verdict: RowVerdict =
    simulator === undefined
      ? 'only-real'
      : real === undefined
        ? 'only-simulator'
        : equal(simulator, real)
          ? 'same'
          : 'differs';
  const reason = verdict === 'same' ? undefined : couldChange(verdict);
  return {
    item,
    simulator: simulator ?? absent,
    real: real ?? absent,
    verdict,
    ...(reason === undefined ? {} : { couldChangeVerdict: reason }),
  };
}

export const defined = <T>(value: T | undefined): value is T => value !== undefined;

export const missingOnReal = (reason: string) => (verdict: RowVerdict) =>
  verdict === 'only-simulator' || verdict === 'differs' ? reason : undefined;

export const never = () => undefined;
