import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { pullOnlyChecks } from './pull-only-checks.ts';

/** The machine's settings as read from /proc/sys; `change` sets one of them otherwise. */
function tuning(change: Record<string, string> = {}): History {
  const h = new History();
  h.record('observation', 'network-tuning', {
    machine: 'vm1-machine',
    somaxconn: '4096',
    logMartians: '1',
    rpFilter: '1',
    acceptSourceRoute: '0',
    ...change,
  });
  return h;
}

const networkTuning = async (h: History) =>
  (await checkStatuses(pullOnlyChecks, h))['network-tuning'];

describe('network-tuning', () => {
  it("passes the manual's settings", async () => {
    expect(await networkTuning(tuning())).toBe('pass');
  });

  it('fails each setting that differs, source routing included', async () => {
    const changes: Record<string, string>[] = [
      { somaxconn: '128' },
      { logMartians: '0' },
      { rpFilter: '2' },
      { acceptSourceRoute: '1' },
    ];
    for (const change of changes)
      expect(await networkTuning(tuning(change)), JSON.stringify(change)).toBe('fail');
  });

  it('says unknown when the settings were never read', async () => {
    expect(await networkTuning(new History())).toBe('unknown');
  });
});
