/**
 * Settles like `attempt`, or rejects with `onExpiry()` after `ms`, whichever comes first. The
 * attempt is not stopped (a promise cannot be): if the deadline wins, its later failure is
 * swallowed here so that it does not surface as unhandled, and making its late effects harmless
 * is the caller's job.
 */
export async function raceDeadline<T>(
  attempt: Promise<T>,
  ms: number,
  onExpiry: () => Error,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  attempt.catch(() => undefined);
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(onExpiry());
    }, ms);
  });
  try {
    return await Promise.race([attempt, expired]);
  } finally {
    clearTimeout(timer);
  }
}
