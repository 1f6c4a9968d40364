/**
 * The line that names a seed and how to make the same draws again, printed by every command that
 * draws from one (`sovh run`, `sovh up`), so a seed is never lost with the terminal's scrollback.
 */
export function renderSeedLine(seed: number, again: readonly string[]): string {
  return `seed: ${String(seed)} (the same draws again: ${again.join(', or ')})`;
}
