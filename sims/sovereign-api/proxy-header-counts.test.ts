import { describe, expect, it } from 'vitest';
import { parseProxyHeaderCounts } from './proxy-header-counts.ts';

const listing = `Chain INPUT (policy ACCEPT 0 packets, 0 bytes)
    pkts      bytes target     prot opt in     out     source               destination
       3      252            6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:444 STRING match  "|0d0a0d0a000d0a515549540a|" ALGO name bm TO 120 /* proxy-v2 */
       1       84            6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:444 STRING match  "PROXY " ALGO name bm TO 120 /* proxy-v1 */
`;

describe('PROXY header counts', () => {
  it('reads each version from its counting rule', () => {
    expect(parseProxyHeaderCounts(listing)).toEqual({ v1: 1, v2: 3 });
  });

  it('refuses a listing without the rules instead of reading zero', () => {
    const withoutV1 = listing
      .split('\n')
      .filter((l) => !l.includes('proxy-v1'))
      .join('\n');
    expect(() => parseProxyHeaderCounts(withoutV1)).toThrow(/no proxy-v1 counting rule/);
  });
});
