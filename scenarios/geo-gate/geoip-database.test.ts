import { describe, expect, it } from 'vitest';
import { expectedGeoipDatabase, sha256Hex } from './geoip-database.ts';

describe('the GeoIP database a site calls for', () => {
  it('lists each domestic CIDR once with the jurisdiction, by address then prefix', () => {
    const site = {
      domesticCidrs: ['10.43.0.0/16', '10.41.0.0/24', '10.41.0.0/16', '10.43.0.0/16'],
      zone: { jurisdiction: 'DE' },
    };
    expect(expectedGeoipDatabase(site)).toBe('10.41.0.0/16 DE\n10.41.0.0/24 DE\n10.43.0.0/16 DE\n');
  });

  it('pins the canonical text by its SHA-256', () => {
    expect(sha256Hex('10.41.0.0/16 DE\n')).toMatch(/^[0-9a-f]{64}$/);
    expect(sha256Hex('10.41.0.0/16 DE\n')).not.toBe(sha256Hex('10.41.0.0/16 US\n'));
  });
});
