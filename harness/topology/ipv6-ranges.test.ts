import { describe, expect, it } from 'vitest';
import { zoneSchema } from './topology-schema.ts';
import { ipv6RangeProblems } from './ipv6-ranges.ts';

const zone = (name: string, ipv6Cidrs: string[]) =>
  zoneSchema.parse({
    name,
    jurisdiction: 'DE',
    kind: 'sovereign',
    cidrs: ['10.1.0.0/16'],
    ipv6Cidrs,
  });

describe('ipv6RangeProblems', () => {
  it('accepts unique local ranges of /64 or shorter, one per zone', () => {
    expect(ipv6RangeProblems([zone('a', ['fd5a:10::/48']), zone('b', ['fd5a:20::/64'])])).toEqual(
      [],
    );
    expect(ipv6RangeProblems([zone('a', [])])).toEqual([]);
  });

  it('names each bad range with its path and fix', () => {
    const problems = ipv6RangeProblems([
      zone('a', ['fd5a:10::/48', '2001:db8::/32', 'fd5a::1/64', 'fd5a:30::/96']),
      zone('b', ['fd5a:10:0:100::/56']),
    ]);
    expect(problems.map((p) => [p.path, p.problem])).toEqual([
      ['zones[0].ipv6Cidrs[1]', '2001:db8::/32 is not a unique local range'],
      ['zones[0].ipv6Cidrs[2]', '"fd5a::1/64" has host bits set; the network is fd5a::/64'],
      ['zones[0].ipv6Cidrs[3]', 'fd5a:30::/96 is longer than /64'],
      ['zones[1].ipv6Cidrs[0]', 'fd5a:10:0:100::/56 overlaps fd5a:10::/48 of zone "a"'],
    ]);
    expect(problems[0]?.fix).toMatch(/fd00::\/8/);
  });
});
