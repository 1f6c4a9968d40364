/** The outcome of one check. "not-applicable" and "unknown" are never counted as a pass. */
export type VerdictStatus = 'pass' | 'fail' | 'not-applicable' | 'unknown';

export interface Evidence {
  /** What produced it: a command, a capture, a file, an observation name. */
  source: string;
  excerpt: string;
  /** The name of an attachment of the run that holds the whole of it (a capture, a log). */
  attachment?: string;
}

export interface Verdict {
  status: VerdictStatus;
  summary: string;
  expected?: string;
  observed?: string;
  evidence?: Evidence[];
}

export function pass(summary: string, details: Omit<Verdict, 'status' | 'summary'> = {}): Verdict {
  return { status: 'pass', summary, ...details };
}

export function fail(summary: string, details: Omit<Verdict, 'status' | 'summary'> = {}): Verdict {
  return { status: 'fail', summary, ...details };
}

/** Evidence that cannot decide: never counted as a pass. */
export function unknown(
  summary: string,
  details: Omit<Verdict, 'status' | 'summary'> = {},
): Verdict {
  return { status: 'unknown', summary, ...details };
}

/** Passes when `ok`, else fails; both with the same expected/observed/evidence. */
export function verdictOf(
  ok: boolean,
  passSummary: string,
  failSummary: string,
  details: Omit<Verdict, 'status' | 'summary'> = {},
): Verdict {
  return ok ? pass(passSummary, details) : fail(failSummary, details);
}
