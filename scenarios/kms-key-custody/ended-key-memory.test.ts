import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import {
  endedKeyGoneCheck,
  type EndedKeyInMemoryObservation,
  type KeyScan,
} from './ended-key-memory.ts';

function scan(startedAtMs: number, found: boolean): KeyScan {
  return {
    startedAtMs,
    finishedAtMs: startedAtMs + 300,
    found,
    processes: 9,
    description: found ? 'pid 40 (residency-init): 1 hit(s) [data-key]' : 'nothing found',
  };
}

async function statusOf(
  o: Partial<EndedKeyInMemoryObservation>,
  bounds?: Record<string, number>,
): Promise<string | undefined> {
  const h = new History();
  if (bounds !== undefined) h.record('observation', 'bounds-in-force', bounds);
  h.record('observation', 'ended-key-in-memory', {
    host: 'vm4',
    endedAtMs: 10_000,
    before: scan(8_000, true),
    after: scan(12_050, false),
    ...o,
  });
  return (await checkStatuses([endedKeyGoneCheck], h))[endedKeyGoneCheck.name];
}

describe('compromised-key-gone-from-memory', () => {
  it('passes when the key found before the revocation is gone once the bound has passed', async () => {
    expect(await statusOf({})).toBe('pass');
  });

  it('fails when the compromised key is still in memory after the bound (refused but kept)', async () => {
    expect(await statusOf({ after: scan(12_050, true) })).toBe('fail');
  });

  it('says unknown when the scan before did not find the key (no positive control)', async () => {
    expect(await statusOf({ before: scan(8_000, false) })).toBe('unknown');
  });

  it('says unknown when the scan after began inside the bound', async () => {
    expect(await statusOf({ after: scan(11_000, false) })).toBe('unknown');
  });

  it('judges from a bound the stack tightened', async () => {
    expect(await statusOf({ after: scan(11_000, true) }, { kmsRevocationMs: 500 })).toBe('fail');
  });
});
