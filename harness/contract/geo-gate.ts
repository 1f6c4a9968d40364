import { createHash } from 'node:crypto';
import { mustParseCidr } from '../util/cidr.ts';

/**
 * The GeoIP gate's numbers (CONTRACT.md, "The GeoIP gate"): the sessions it must hold at once
 * (HAProxy's maxconn 10240, the manual's worker_connections 10240) and the connections the kernel
 * must queue for it while it takes no more (its listen backlog, net.core.somaxconn 4096).
 */
export const gateLimits = {
  concurrentSessions: 10_240,
  listenBacklog: 4096,
} as const;

/**
 * The GeoIP database a site calls for, in the contract's canonical form: each domestic CIDR with
 * the jurisdiction of the host's zone, one `<cidr> <jurisdiction>\n` line each, sorted by network
 * address then prefix length, duplicates dropped. The stack pins it by the SHA-256 of these bytes.
 */
export function canonicalGeoipDatabase(
  domesticCidrs: readonly string[],
  jurisdiction: string,
): string {
  const unique = [...new Set(domesticCidrs.map((c) => c.trim()))];
  return unique
    .map((text) => ({ text, cidr: mustParseCidr(text) }))
    .sort((a, b) => a.cidr.base - b.cidr.base || a.cidr.prefix - b.cidr.prefix)
    .map(({ text }) => `${text} ${jurisdiction}\n`)
    .join('');
}

export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}
