import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scenarios } from './index.ts';

const referenceRoot = join(import.meta.dirname, '..', 'images', 'host', 'rootfs');
const scratch = mkdtempSync(join(tmpdir(), 'sovh-patches-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

const patched = scenarios.flatMap((scenario) =>
  scenario.mutants.flatMap((mutant) =>
    mutant.stackPatch === undefined
      ? []
      : [{ label: `${scenario.name} / ${mutant.name}`, patch: mutant.stackPatch }],
  ),
);

/**
 * A change to the reference stack that a mutant's patch no longer fits would surface only as a
 * failed image build in the middle of a scenario run; here it is a unit test, without an engine.
 * Each patch must apply exactly (no fuzz, no offset guessing beyond what patch does by default)
 * to a fresh copy of the stack.
 */
describe('every mutant patch', () => {
  it('exists: at least one scenario declares a patch', () => {
    expect(patched.length).toBeGreaterThan(10);
  });

  it.each(patched)('applies to the reference stack: $label', ({ label, patch }) => {
    const copy = mkdtempSync(join(scratch, 'stack-'));
    cpSync(referenceRoot, copy, { recursive: true });
    let output = '';
    try {
      output = execFileSync(
        'patch',
        ['-p1', '--fuzz=0', '--batch', '--forward', '-d', copy, '-i', patch],
        { stdio: 'pipe', encoding: 'utf8' },
      );
    } catch (error) {
      const { stdout = '' } = error as { stdout?: string };
      throw new Error(`${label}: ${patch} does not apply to images/host/rootfs:\n${stdout}`);
    } finally {
      // Each copy goes at once: one removal of them all at the end outran the hook's timeout on
      // a loaded machine.
      rmSync(copy, { recursive: true, force: true });
    }
    expect(output, label).not.toMatch(/FAILED|rejects|fuzz/i);
  });
});
