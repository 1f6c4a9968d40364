import { mustParseCidr, parseAddress } from '../../harness/util/cidr.ts';
import { aead, reqid } from './ipsec-plan.ts';

/**
 * The commands ipsec-tunnel runs in its containers, built here without side effects so that each
 * can be read and tested: the manually keyed SAs and policies of one site router (`ip xfrm`, no
 * key daemon), reading them back, and the tcpdump filters a reader of the evidence uses.
 */

/** One direction of the tunnel: its SPI and its AEAD key (hex, key then salt). */
export interface SaKeys {
  spi: number;
  keyHex: string;
}

/** One site router's end of the tunnel. */
export interface TunnelEnd {
  /** This router's endpoint and the peer's. */
  local: string;
  remote: string;
  /** The ranges behind this router and behind the peer, as the policies name them. */
  localRanges: readonly string[];
  remoteRanges: readonly string[];
  /** The SA this router sends with, and the one it receives with (the peer's outbound). */
  outbound: SaKeys;
  inbound: SaKeys;
}

/** A dotted IPv4 address, or a TypeError: it goes into ip xfrm, tcpdump and the probes. */
export function checkAddress(address: string): string {
  if (parseAddress(address) === undefined)
    throw new TypeError(`tunnel endpoint "${address}": use a dotted IPv4 address`);
  return address;
}

function checkRange(range: string): string {
  mustParseCidr(range);
  return range;
}

/** An SPI as ip xfrm writes it; 1-255 are reserved by RFC 4303, so they are refused. */
export function spiHex(spi: number): string {
  if (!Number.isInteger(spi) || spi < 256 || spi > 0xffff_ffff)
    throw new TypeError(`SPI ${String(spi)}: use an integer from 256 to 2^32-1`);
  return `0x${spi.toString(16).padStart(8, '0')}`;
}

/** The AEAD key as hex of exactly the algorithm's length, or a TypeError naming the length. */
export function checkKeyHex(keyHex: string): string {
  if (!new RegExp(`^[0-9a-f]{${String(aead.keyBytes * 2)}}$`).test(keyHex))
    throw new TypeError(
      `ESP key: use ${String(aead.keyBytes * 2)} lower-case hex digits (${String(aead.keyBytes)} bytes: AES-256 key and salt)`,
    );
  return keyHex;
}

function stateCommand(source: string, destination: string, sa: SaKeys): string[] {
  return [
    'ip',
    'xfrm',
    'state',
    'add',
    'src',
    checkAddress(source),
    'dst',
    checkAddress(destination),
    'proto',
    'esp',
    'spi',
    spiHex(sa.spi),
    'reqid',
    String(reqid),
    'mode',
    'tunnel',
    'aead',
    aead.name,
    `0x${checkKeyHex(sa.keyHex)}`,
    String(aead.icvBits),
  ];
}

function policyCommand(
  selector: { source: string; destination: string },
  dir: 'out' | 'in' | 'fwd',
  template: { source: string; destination: string },
): string[] {
  return [
    'ip',
    'xfrm',
    'policy',
    'add',
    'src',
    checkRange(selector.source),
    'dst',
    checkRange(selector.destination),
    'dir',
    dir,
    'tmpl',
    'src',
    template.source,
    'dst',
    template.destination,
    'proto',
    'esp',
    'reqid',
    String(reqid),
    'mode',
    'tunnel',
  ];
}

/**
 * One router's end of an ESP tunnel-mode tunnel, manually keyed: the two SAs (out to the peer,
 * in from it), then for every pair of a local and a remote range an `out` policy that sends the
 * pair's packets through the SA, and `in` and `fwd` policies that accept the reverse pair only
 * when it came out of the peer's SA (`fwd` is what the kernel consults for packets it routes on
 * to its site, `in` for those addressed to itself). The routes stay the world's: the policy, not
 * a route, decides what is sealed, so a range it misses crosses in clear.
 */
export function tunnelEndCommands(end: TunnelEnd): string[][] {
  const out = { source: end.local, destination: end.remote };
  const back = { source: end.remote, destination: end.local };
  const pairs = end.localRanges.flatMap((local) =>
    end.remoteRanges.map((remote) => ({ local, remote })),
  );
  return [
    stateCommand(end.local, end.remote, end.outbound),
    stateCommand(end.remote, end.local, end.inbound),
    ...pairs.flatMap(({ local, remote }) => [
      policyCommand({ source: local, destination: remote }, 'out', out),
      policyCommand({ source: remote, destination: local }, 'in', back),
      policyCommand({ source: remote, destination: local }, 'fwd', back),
    ]),
  ];
}

/** Reading the tunnel back from a router's kernel (iproute2's xfrm has no JSON output). */
export const readStatesCommand = ['ip', 'xfrm', 'state', 'list'] as const;
export const readPoliciesCommand = ['ip', 'xfrm', 'policy', 'list'] as const;

/**
 * tcpdump's filters for the two kinds of crossing a reader of the evidence looks for in the
 * exchange's capture (`tcpdump -nn -r FILE 'FILTER'`): ESP between the endpoints, and anything
 * else between the sites. The check reads the capture whole; these only show where to look.
 */
export function espFilter(local: string, remote: string): string {
  return `ip proto 50 and host ${checkAddress(local)} and host ${checkAddress(remote)}`;
}

export function clearFilter(rangesA: readonly string[], rangesB: readonly string[]): string {
  const side = (way: 'src' | 'dst', ranges: readonly string[]) =>
    `(${ranges.map((r) => `${way} net ${checkRange(r)}`).join(' or ')})`;
  return `ip and not ip proto 50 and ((${side('src', rangesA)} and ${side('dst', rangesB)}) or (${side('src', rangesB)} and ${side('dst', rangesA)}))`;
}

/** The keying of both directions: the SA from site A to site B and the one back. */
export interface TunnelKeys {
  aToB: SaKeys;
  bToA: SaKeys;
}

/**
 * Both routers' ends of one tunnel, mirrored: what A sends with, B receives with, under the same
 * SPI and key, and each end's policies name its own ranges as local.
 */
export function tunnelEnds(
  a: { endpoint: string; ranges: readonly string[] },
  b: { endpoint: string; ranges: readonly string[] },
  keys: TunnelKeys,
): { a: TunnelEnd; b: TunnelEnd } {
  if (keys.aToB.spi === keys.bToA.spi)
    throw new TypeError(`both directions have SPI ${spiHex(keys.aToB.spi)}: give each its own`);
  return {
    a: {
      local: a.endpoint,
      remote: b.endpoint,
      localRanges: a.ranges,
      remoteRanges: b.ranges,
      outbound: keys.aToB,
      inbound: keys.bToA,
    },
    b: {
      local: b.endpoint,
      remote: a.endpoint,
      localRanges: b.ranges,
      remoteRanges: a.ranges,
      outbound: keys.bToA,
      inbound: keys.aToB,
    },
  };
}
