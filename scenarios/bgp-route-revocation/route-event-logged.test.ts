import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { domesticSitePrefix } from '../network-world/bgp-world.ts';
import { routeEventLogged } from './route-event-logged.ts';

const restoration = routeEventLogged({
  name: 'restoration-logged',
  description: 'the return logged',
  phase: 'readvertised',
  marker: 'BGP route restored',
  after: 'BGP Route Revocation',
});

const revoked = `Dec  6 21:00:01 vm1 residency: BGP Route Revocation: ${domesticSitePrefix} (was via 10.40.0.3) withdrawn`;
const restored = `Dec  6 21:00:09 vm1 residency: BGP route restored: ${domesticSitePrefix} via 10.40.0.3`;
const learned = `Dec  6 20:59:50 vm1 residency: BGP route learned: ${domesticSitePrefix} via 10.40.0.3`;

async function statusOf(lines: string[]): Promise<string | undefined> {
  const h = new History();
  h.record('observation', 'messages-log', {
    phase: 'readvertised',
    host: 'vm1',
    present: true,
    lines,
  });
  return (await checkStatuses([restoration], h))[restoration.name];
}

describe('restoration-logged', () => {
  it('passes on a restored line after the revocation', async () => {
    expect(await statusOf([learned, revoked, restored])).toBe('pass');
  });

  it('fails when the return is not in the messages log (written elsewhere)', async () => {
    expect(await statusOf([learned, revoked])).toBe('fail');
  });

  it('fails when the only restored line is older than the last revocation', async () => {
    expect(await statusOf([learned, revoked, restored, revoked])).toBe('fail');
  });

  it('fails when the return is logged as a new route', async () => {
    expect(await statusOf([learned, revoked, learned.replace('20:59:50', '21:00:09')])).toBe(
      'fail',
    );
  });

  it('ignores a restored line for another prefix', async () => {
    expect(
      await statusOf([learned, revoked, restored.replace(domesticSitePrefix, '10.99.0.0/16')]),
    ).toBe('fail');
  });
});
