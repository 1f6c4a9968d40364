import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { domesticSitePrefix } from '../network-world/bgp-world.ts';
import type { MessagesLog } from '../network-world/network-evidence.ts';

/**
 * A routing event of the prefix in the host's messages log, read off its VM disk in `phase`: the
 * contract's record of a withdrawal or a return. With `after`, the line must follow the last line
 * of that other event for the prefix (a return is logged after the revocation it ends).
 */
export function routeEventLogged(spec: {
  name: string;
  description: string;
  phase: string;
  marker: string;
  after?: string;
}): Check {
  return {
    name: spec.name,
    description: spec.description,
    verify(history) {
      const log = lastObservation<MessagesLog>(
        history,
        'messages-log',
        (d) => d.phase === spec.phase,
      ).data;
      const ofPrefix = (marker: string) =>
        log.lines.flatMap((l, i) =>
          l.includes(marker) && l.includes(domesticSitePrefix) ? [i] : [],
        );
      const since = spec.after === undefined ? -1 : Math.max(-1, ...ofPrefix(spec.after));
      const lines = ofPrefix(spec.marker)
        .filter((i) => i > since)
        .map((i) => log.lines[i] ?? '');
      return verdictOf(
        lines.length > 0,
        lines[0] ?? '',
        `no "${spec.marker}" line for ${domesticSitePrefix}${spec.after === undefined ? '' : ` after its "${spec.after}" line`}`,
        {
          expected: `${spec.marker}: ${domesticSitePrefix} ...`,
          observed: lines.slice(0, 2).join(' | ') || '(none)',
          evidence: [
            {
              source: '/var/log/messages on the VM disk',
              excerpt: log.lines
                .filter((l) => l.includes('BGP'))
                .slice(-6)
                .join('\n'),
            },
          ],
        },
      );
    },
  };
}
