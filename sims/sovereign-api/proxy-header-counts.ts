import { SovhError } from '../../harness/util/sovh-error.ts';

/** Packets at the relay port that carried a PROXY protocol header, by the header's version. */
export interface ProxyHeaderCounts {
  v1: number;
  v2: number;
}

/**
 * Reads the counting rules' packet counts (comments proxy-v1 and proxy-v2) out of
 * `iptables -L INPUT -v -x -n`. A missing rule is an error, never a zero: a count that cannot be
 * read must not pass for "no such header".
 */
export function parseProxyHeaderCounts(listing: string): ProxyHeaderCounts {
  const count = (version: 'v1' | 'v2') => {
    const line = listing.split('\n').find((l) => l.includes(`/* proxy-${version} */`));
    const packets = line === undefined ? undefined : /^\s*(\d+)\s/.exec(line)?.[1];
    if (packets === undefined)
      throw new SovhError(
        'SIM_STATE_UNREADABLE',
        `the endpoint's firewall has no proxy-${version} counting rule; rebuild its image (the start script adds it)`,
      );
    return Number(packets);
  };
  return { v1: count('v1'), v2: count('v2') };
}
