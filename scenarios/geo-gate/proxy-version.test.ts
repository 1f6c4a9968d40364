import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { gateRelaysProxyV2Check } from './proxy-version.ts';

type Counts = { v1: number; v2: number };

async function statusOf(
  control: Counts | undefined,
  sessions: Counts | undefined,
  admitted = 1,
): Promise<string | undefined> {
  const h = new History();
  // Three sessions driven, the first `admitted` of them admitted.
  for (const i of [0, 1, 2]) h.record('observation', 'gate-session', { ok: i < admitted });
  if (control !== undefined)
    h.record('observation', 'backend-proxy-headers', {
      backend: 'b',
      after: 'control',
      ...control,
    });
  if (sessions !== undefined)
    h.record('observation', 'backend-proxy-headers', {
      backend: 'b',
      after: 'sessions',
      ...sessions,
    });
  return (await checkStatuses([gateRelaysProxyV2Check], h))[gateRelaysProxyV2Check.name];
}

describe('gate-relays-proxy-v2', () => {
  it('passes a v2 header per admitted session and no v1', async () => {
    expect(await statusOf({ v1: 1, v2: 1 }, { v1: 1, v2: 2 })).toBe('pass');
  });

  it('fails a v1 header from the gate, and an admitted session with no v2 header', async () => {
    expect(await statusOf({ v1: 1, v2: 1 }, { v1: 2, v2: 1 })).toBe('fail');
    expect(await statusOf({ v1: 1, v2: 1 }, { v1: 1, v2: 2 }, 2)).toBe('fail');
  });

  it('says unknown when the counts missed the harness own headers, or nothing was relayed', async () => {
    expect(await statusOf({ v1: 0, v2: 1 }, { v1: 0, v2: 2 })).toBe('unknown');
    expect(await statusOf({ v1: 1, v2: 1 }, { v1: 1, v2: 1 }, 0)).toBe('unknown');
    expect(await statusOf({ v1: 1, v2: 1 }, undefined)).toBe('unknown');
  });
});
