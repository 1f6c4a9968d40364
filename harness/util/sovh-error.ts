/**
 * The one error type the harness throws on purpose. Every instance carries a stable `code` that
 * tests and callers branch on, a message that names the problem and the fix, and optional
 * measured values, so that a failure can be read without a debugger.
 */
export class SovhError extends Error {
  override readonly name = 'SovhError';

  constructor(
    readonly code: string,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.details = options.details ?? {};
  }

  readonly details: Record<string, unknown>;
}

export function isSovhError(error: unknown, code?: string): error is SovhError {
  return error instanceof SovhError && (code === undefined || error.code === code);
}

/** A readable one-line description of anything thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
