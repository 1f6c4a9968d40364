import { describe, expect, it } from 'vitest';
import { diskFullHint } from './disk-full.ts';

describe('diskFullHint', () => {
  it("names the full disk and the fix wherever the engine's message says so", () => {
    expect(
      diskFullHint([
        'Step 8/11 : RUN sh /work/apply-patch',
        'failed to register layer: write /var/lib/docker/overlay2/x/diff/a: No space left on device',
      ]),
    ).toMatch(/^the engine's disk is full .*docker system df/);
  });

  it('says nothing for other failures', () => {
    expect(diskFullHint(['E: Unable to locate package nope'])).toBeUndefined();
  });
});
