import { describe, expect, it } from 'vitest';
import { canonicalGeoipDatabase, sha256Hex } from './geo-gate.ts';

describe('the GeoIP database a site calls for', () => {
  it('lists each domestic CIDR once with the jurisdiction, by address then prefix', () => {
    const cidrs = ['10.43.0.0/16', '10.41.0.0/24', '10.41.0.0/16', '10.43.0.0/16'];
    expect(canonicalGeoipDatabase(cidrs, 'DE')).toBe(
      '10.41.0.0/16 DE\n10.41.0.0/24 DE\n10.43.0.0/16 DE\n',
    );
  });

  it('pins the canonical text by its SHA-256', () => {
    expect(sha256Hex('10.41.0.0/16 DE\n')).toMatch(/^[0-9a-f]{64}$/);
    expect(sha256Hex('10.41.0.0/16 DE\n')).not.toBe(sha256Hex('10.41.0.0/16 US\n'));
  });
});
