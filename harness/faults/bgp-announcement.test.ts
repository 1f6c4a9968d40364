import { describe, expect, it } from 'vitest';
import { isSovhError } from '../util/sovh-error.ts';
import { isAsNumber, leakRoutes } from './bgp-announcement.ts';

describe('a route leak with an origin', () => {
  it('takes a 32-bit AS number and names it in the description', () => {
    for (const asn of [1, 64501, 4_294_967_294]) expect(isAsNumber(asn)).toBe(true);
    expect(leakRoutes('foreign-peer', ['10.40.0.0/17'], 64501).description).toBe(
      'router foreign-peer announces 10.40.0.0/17 over BGP with origin AS 64501, which it does not own',
    );
    expect(leakRoutes('foreign-peer', ['10.40.0.0/17']).description).not.toMatch(/origin/);
  });

  it('refuses what is no AS number, naming the value and the range', () => {
    for (const bad of [0, -1, 64501.5, 4_294_967_295, Number.NaN]) {
      expect(isAsNumber(bad)).toBe(false);
      let error: unknown;
      try {
        leakRoutes('foreign-peer', ['10.40.0.0/17'], bad);
      } catch (caught) {
        error = caught;
      }
      expect(isSovhError(error, 'BAD_FAULT_PARAMETER')).toBe(true);
      expect(String(error)).toContain(`origin ${bad} is not an AS number`);
      expect(String(error)).toContain('from 1 to 4294967294');
    }
  });
});
