import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { removeSessionResources, type SessionResources } from './engine-resources.ts';

/**
 * An engine whose one network keeps a stale endpoint: it lists no container, and every removal
 * says endpoints are active (the engine defect only a restart frees). Counts the removals.
 */
function engineWithStaleNetwork() {
  const calls = { removals: 0 };
  const network = {
    inspect: () => Promise.resolve({ Containers: {} }),
    disconnect: () => Promise.resolve(),
    remove: () => {
      calls.removals += 1;
      return Promise.reject(
        new Error(
          '(HTTP code 403) unexpected - error while removing network: has active endpoints',
        ),
      );
    },
  };
  const docker = { getNetwork: () => network } as unknown as Docker;
  return { docker, calls };
}

const deadSession = (containers: SessionResources['containers']): SessionResources => ({
  sessionId: 's1',
  owner: undefined,
  keep: false,
  scenario: 'geo-gate',
  containers,
  networks: [{ id: 'n1', name: 'sovh-s1-sovereign' }],
  volumes: [],
});

describe('removing a dead session whose network keeps a stale endpoint', () => {
  it('names the engine defect after one try when no container of the session was left', async () => {
    const { docker, calls } = engineWithStaleNetwork();
    const outcome = await removeSessionResources(docker, deadSession([]));
    // One try, not the teardown's 30 s of retries: every later run reaps the same network again.
    expect(calls.removals).toBe(1);
    expect(outcome.problems).toEqual([]);
    expect(outcome.notes).toEqual([
      expect.stringMatching(
        /^network sovh-s1-sovereign keeps an endpoint that no container holds .*Only an engine restart frees it/,
      ),
    ]);
  });
});
