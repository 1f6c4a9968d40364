/**
 * What to tell the user when an engine's error says its disk is full, or undefined. A full disk
 * shows up as the engine's own message somewhere in a build's output ("no space left on
 * device", from a layer write, an extraction or the engine's state files); the fix is the same
 * wherever it came from.
 */
export function diskFullHint(texts: readonly string[]): string | undefined {
  if (!texts.some((text) => /no space left on device/i.test(text))) return undefined;
  return (
    "the engine's disk is full (no space left on device): free room where the engine keeps " +
    'its images and containers (`docker system df` shows what uses it, `docker image prune` ' +
    'removes dangling images, sovh/* images of recipes no longer used can go) and run again'
  );
}
