import { createHash } from 'node:crypto';
import { mustParseCidr } from '../../harness/util/cidr.ts';

/**
 * The GeoIP database a site file calls for, in the contract's canonical form (CONTRACT.md, "The
 * GeoIP gate"): each domestic CIDR with the zone's jurisdiction, sorted by network address then
 * prefix length. The harness derives it on its own to judge what the gate loaded.
 */
export function expectedGeoipDatabase(site: {
  domesticCidrs: readonly string[];
  zone: { jurisdiction: string };
}): string {
  const unique = [...new Set(site.domesticCidrs.map((c) => c.trim()))];
  return unique
    .map((text) => ({ text, cidr: mustParseCidr(text) }))
    .sort((a, b) => a.cidr.base - b.cidr.base || a.cidr.prefix - b.cidr.prefix)
    .map(({ text }) => `${text} ${site.zone.jurisdiction}\n`)
    .join('');
}

export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}
