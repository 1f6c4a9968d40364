import { describe, expect, it } from 'vitest';
import { testNamespaces } from './session-janitor.ts';

describe('the namespaces the janitor sweeps', () => {
  it("takes the run's own and the test kit's test-* ones, and no other", () => {
    expect(
      testNamespaces(['test-capsule-0a1b2c', 'ci-other', 'default', 'test-x-1'], 'default'),
    ).toEqual(['default', 'test-capsule-0a1b2c', 'test-x-1']);
    expect(testNamespaces([], 'mine')).toEqual(['mine']);
  });
});
