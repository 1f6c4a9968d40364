import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import routeLeak, { cidrWithin } from './route-leak.ts';

const check = routeLeak.checks.filter((c) => c.name === 'only-domestic-prefixes-learned');

async function status(routes: string): Promise<string | undefined> {
  const history = new History();
  history.record('observation', 'host-routes', { phase: 'leaked', routes });
  return (await checkStatuses(check, history))['only-domestic-prefixes-learned'];
}

const reference = [
  'unreachable default metric 4000',
  '10.40.0.0/16 dev eth0 proto kernel scope link src 10.40.0.5',
  '10.41.0.0/16 via 10.40.0.3 dev eth0 proto bird metric 32',
  'unreachable 10.41.0.0/16 metric 4000',
].join('\n');

describe('route-leak: only domestic prefixes learned', () => {
  it('passes a kernel whose BGP routes are all domestic', async () => {
    expect(await status(reference)).toBe('pass');
  });

  it('fails a foreign prefix, a learned default or a foreign host route; and a kernel with no BGP route', async () => {
    for (const line of [
      '10.80.0.0/17 via 10.40.0.2 dev eth0 proto bird metric 32',
      'default via 10.40.0.2 dev eth0 proto bird metric 32',
      '10.80.0.9 via 10.40.0.2 dev eth0 proto bird metric 32',
    ])
      expect(await status(`${reference}\n${line}`)).toBe('fail');
    expect(await status('unreachable default metric 4000')).toBe('fail');
  });

  it('places a destination inside the domestic ranges by its whole prefix', () => {
    expect(cidrWithin('10.41.0.0/17', ['10.41.0.0/16'])).toBe(true);
    expect(cidrWithin('10.41.0.7', ['10.41.0.0/16'])).toBe(true);
    expect(cidrWithin('10.40.0.0/15', ['10.40.0.0/16', '10.41.0.0/16'])).toBe(false);
    expect(cidrWithin('default', ['10.40.0.0/16'])).toBe(false);
  });
});
