import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { resolvConfRewrittenAtBoot, staleBoot, type StaleBootObservation } from './stale-boot.ts';

const rewritten =
  '# Sovereign resolvers of sovereign only\nnameserver 10.40.0.3\noptions timeout:1\n';

function observation(change: Partial<StaleBootObservation> = {}): StaleBootObservation {
  return {
    host: 'vm1',
    staleServer: '10.40.0.2',
    sovereignResolver: '10.40.0.3',
    content: rewritten,
    flags: '----i---------e-------',
    ...change,
  };
}

async function status(o?: StaleBootObservation) {
  const h = new History();
  if (o !== undefined) h.record('observation', staleBoot.name, o);
  return (await checkStatuses([resolvConfRewrittenAtBoot], h))['resolv-conf-rewritten-at-boot'];
}

describe('resolv-conf-rewritten-at-boot', () => {
  it('passes a file rewritten for the sovereign resolver and locked again', async () => {
    expect(await status(observation())).toBe('pass');
  });

  it('fails the stale file kept, a file left unlocked, or one without the sovereign resolver', async () => {
    const stale = '# Left by an earlier boot, and locked.\nnameserver 10.40.0.2\n';
    expect(await status(observation({ content: stale }))).toBe('fail');
    expect(await status(observation({ flags: '--------------e-------' }))).toBe('fail');
    expect(await status(observation({ content: 'options timeout:1\n' }))).toBe('fail');
    // A prefix of the stale address is another server, not the stale one.
    const longer = `${rewritten}nameserver 10.40.0.25\n`;
    expect(await status(observation({ content: longer }))).toBe('pass');
  });

  it('is unknown when the file could not be read, or nothing was observed', async () => {
    expect(await status(observation({ flags: '', content: '' }))).toBe('unknown');
    expect(await status()).toBe('unknown');
  });
});
