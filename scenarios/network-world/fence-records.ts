import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { formatAddress6, parseAddress6 } from '../../harness/util/cidr6.ts';
import { datagramAttempts, type ConnectAttempts, type MessagesLog } from './network-evidence.ts';

/** The address family a fence record is judged in: its ICMP says which protocol it logs. */
export type Family = 'IPv4' | 'IPv6';

const icmpProtocol: Record<Family, string> = { IPv4: 'ICMP', IPv6: 'ICMPv6' };

/** One record of the messages log, in the iptables LOG format's fields. */
export interface FenceRecord {
  dst: string;
  proto: string;
  spt?: string;
  dpt?: string;
}

/**
 * An address in one written form: IPv6 compressed and lowercase (a log may print it expanded or
 * in capitals), IPv4 as it is.
 */
export function canonicalAddress(text: string): string {
  if (!text.includes(':')) return text;
  const value = parseAddress6(text);
  return value === undefined ? text.toLowerCase() : formatAddress6(value);
}

/** The fields of a LOG-format line that say where a dropped packet was going (pure). */
export function fenceRecord(line: string): FenceRecord | undefined {
  const field = (name: string) => new RegExp(`\\b${name}=(\\S+)`).exec(line)?.[1];
  const dst = field('DST');
  const proto = field('PROTO');
  if (dst === undefined || proto === undefined) return undefined;
  const spt = field('SPT');
  const dpt = field('DPT');
  return {
    dst: canonicalAddress(dst),
    proto,
    ...(spt === undefined ? {} : { spt }),
    ...(dpt === undefined ? {} : { dpt }),
  };
}

/** A TCP or UDP target `address:port`, IPv6 addresses too (their last colon is the port's). */
function splitTarget(target: string): { address: string; port: string } {
  const at = target.lastIndexOf(':');
  return { address: target.slice(0, at), port: target.slice(at + 1) };
}

interface Tried {
  what: string;
  matches: (r: FenceRecord) => boolean;
}

/**
 * Second witness of the fence: the host's messages log records a GEOGRAPHIC_FENCE_ERROR for each
 * foreign target the host tried in `phase`, over TCP, UDP and ICMP of `family`, naming its
 * destination, protocol and port (and the UDP source port where the probe chose one).
 */
export function dropsLogged(options: { name: string; phase: string; family: Family }): Check {
  const { phase, family } = options;
  const icmp = icmpProtocol[family];
  return {
    name: options.name,
    description: `Second witness: the host's messages log records a GEOGRAPHIC_FENCE_ERROR for each foreign target it tried, over TCP, UDP and ${icmp}`,
    verify(history) {
      const log = lastObservation<MessagesLog>(
        history,
        'messages-log',
        (d) => d.phase === phase,
      ).data;
      const tcp = lastObservation<ConnectAttempts>(
        history,
        'connect-attempts',
        (d) => d.phase === phase,
      ).data.attempts.filter((a) => a.role === 'foreign');
      const datagrams = lastObservation(
        history,
        datagramAttempts,
        (d) => d.phase === phase,
      ).data.attempts.filter((a) => a.role === 'foreign' && a.notTried !== true);
      const fenceLines = log.lines.filter((l) => l.includes('GEOGRAPHIC_FENCE_ERROR'));
      const records = fenceLines.flatMap((l) => fenceRecord(l) ?? []);
      const tried: Tried[] = [
        ...tcp.map((a): Tried => {
          const { address, port } = splitTarget(a.target);
          const dst = canonicalAddress(address);
          return {
            what: `tcp ${a.target}`,
            matches: (r) => r.dst === dst && r.proto === 'TCP' && r.dpt === port,
          };
        }),
        ...datagrams.map((a): Tried => {
          if (a.proto !== 'udp') {
            const dst = canonicalAddress(a.target);
            return { what: `icmp ${a.target}`, matches: (r) => r.dst === dst && r.proto === icmp };
          }
          const dst = canonicalAddress(splitTarget(a.target).address);
          const from = a.sourcePort === undefined ? undefined : String(a.sourcePort);
          return {
            what: `udp ${a.target}${from === undefined ? '' : ` from port ${from}`}`,
            matches: (r) =>
              r.dst === dst &&
              r.proto === 'UDP' &&
              r.dpt === String(a.port) &&
              (from === undefined || r.spt === from),
          };
        }),
      ];
      const unlogged = tried.filter((t) => !records.some((r) => t.matches(r)));
      return verdictOf(
        unlogged.length === 0 && tcp.length > 0 && datagrams.length > 0,
        `${fenceLines.length} GEOGRAPHIC_FENCE_ERROR record(s), every foreign target among them (${tried.length})`,
        `no GEOGRAPHIC_FENCE_ERROR record for ${unlogged.map((t) => t.what).join(', ') || 'anything tried'}`,
        {
          expected: `a GEOGRAPHIC_FENCE_ERROR line naming DST, PROTO (and DPT) of each foreign target, TCP, UDP and ${icmp}`,
          observed: `${fenceLines.length} fence line(s) in /var/log/messages`,
          evidence: [
            {
              source: '/var/log/messages on the VM disk',
              excerpt: fenceLines.slice(0, 10).join('\n') || '(none)',
            },
          ],
        },
      );
    },
  };
}
