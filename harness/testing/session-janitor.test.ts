import { describe, expect, it } from 'vitest';
import { namespacesToSweep } from './session-janitor.ts';

describe('the namespaces the janitor sweeps', () => {
  it('takes the named ones and the ones a `prefix*` pattern finds, and no other', () => {
    expect(
      namespacesToSweep(
        ['test-capsule-0a1b2c', 'ci-other', 'default', 'test-x-1'],
        ['default', 'test-*'],
      ),
    ).toEqual(['default', 'test-capsule-0a1b2c', 'test-x-1']);
    expect(namespacesToSweep([], ['mine'])).toEqual(['mine']);
  });

  it("sweeps a test's own namespace alone when it names only that", () => {
    expect(namespacesToSweep(['test-janitor-1', 'test-reaper-2'], ['test-janitor-1'])).toEqual([
      'test-janitor-1',
    ]);
  });
});
