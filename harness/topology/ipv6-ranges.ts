import { cidrs6Overlap, isUniqueLocalCidr, parseCidr6, type Cidr6 } from '../util/cidr6.ts';
import type { TopologyProblem } from './topology-error.ts';
import type { Zone } from './topology-schema.ts';

/**
 * What is wrong with the zones' IPv6 ranges: each must be an IPv6 CIDR, unique local (nothing of a
 * run may look routable off the machine), no longer than /64 (a network takes a whole /64), and
 * no two zones may share addresses.
 */
export function ipv6RangeProblems(zones: readonly Zone[]): TopologyProblem[] {
  const problems: TopologyProblem[] = [];
  const seen: { zone: string; text: string; cidr: Cidr6 }[] = [];
  zones.forEach((zone, zi) => {
    zone.ipv6Cidrs.forEach((text, ci) => {
      const path = `zones[${zi}].ipv6Cidrs[${ci}]`;
      const cidr = parseCidr6(text);
      if (typeof cidr === 'string') {
        problems.push({ path, problem: cidr, fix: 'write it as a network address and prefix' });
        return;
      }
      if (!isUniqueLocalCidr(cidr)) {
        problems.push({
          path,
          problem: `${text} is not a unique local range`,
          fix: 'use addresses inside fd00::/8, such as fd5a:10::/48',
        });
        return;
      }
      if (cidr.prefix > 64) {
        problems.push({
          path,
          problem: `${text} is longer than /64`,
          fix: 'give the zone a /64 or a shorter prefix: its network takes a whole /64',
        });
        return;
      }
      for (const other of seen.filter((o) => cidrs6Overlap(o.cidr, cidr))) {
        problems.push({
          path,
          problem: `${text} overlaps ${other.text} of zone "${other.zone}"`,
          fix: 'give each zone its own IPv6 range',
        });
      }
      seen.push({ zone: zone.name, text, cidr });
    });
  });
  return problems;
}
