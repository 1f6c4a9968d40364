import type { Verdict } from './verdict.ts';

/**
 * A "nothing arrived" verdict holds only when, in the same run, the same listener or capture saw
 * what the harness sent it on purpose. Without that positive control the silence proves nothing
 * (a listener that logs nothing, a capture on the wrong link), so the verdict is "unknown", naming
 * the control that failed, never a pass.
 */
export function withPositiveControl(
  control: { seen: boolean; what: string },
  verdict: () => Verdict,
): Verdict {
  if (!control.seen)
    return {
      status: 'unknown',
      summary: `positive control failed: ${control.what} was not seen, so its silence about the stack proves nothing`,
    };
  return verdict();
}
