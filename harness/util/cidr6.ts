import { isIPv6 } from 'node:net';

/** IPv6 address and CIDR arithmetic, the little a zone's IPv6 range needs. */

export interface Cidr6 {
  /** The network address as a 128-bit number. */
  base: bigint;
  prefix: number;
}

const bits = 128n;

/** The 128-bit value of an IPv6 address text (`::` and an IPv4 tail allowed), or undefined. */
export function parseAddress6(text: string): bigint | undefined {
  if (!isIPv6(text)) return undefined;
  const [head = '', tail] = text.split('::');
  const groupsOf = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [parseInt(group, 16)];
          // A dotted IPv4 tail (::ffff:10.0.0.1) is the last two groups.
          const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
          return [a * 256 + b, c * 256 + d];
        });
  const left = groupsOf(head);
  const right = tail === undefined ? [] : groupsOf(tail);
  const groups = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

/** The canonical text of an address (RFC 5952: lower case, the longest zero run as `::`). */
export function formatAddress6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) =>
    Number((value >> BigInt(16 * (7 - i))) & 0xffffn),
  );
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLength).join(':');
  return `${left}::${right}`;
}

function hostMask(prefix: number): bigint {
  return (1n << (bits - BigInt(prefix))) - 1n;
}

/** Parses "fd00:1::/48"; a reason string instead of a value, as parseCidr does for IPv4. */
export function parseCidr6(text: string): Cidr6 | string {
  const [address = '', prefixText, ...rest] = text.split('/');
  const base = parseAddress6(address);
  if (base === undefined || prefixText === undefined || rest.length > 0)
    return `"${text}" is not an IPv6 CIDR like fd5a:10::/48`;
  const prefix = Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText) || prefix > 128)
    return `"${text}" has a prefix length outside 0-128`;
  if ((base & hostMask(prefix)) !== 0n) {
    const network = formatAddress6(base & ~hostMask(prefix));
    return `"${text}" has host bits set; the network is ${network}/${prefix}`;
  }
  return { base, prefix };
}

export function mustParseCidr6(text: string): Cidr6 {
  const parsed = parseCidr6(text);
  if (typeof parsed === 'string') throw new TypeError(parsed);
  return parsed;
}

export function formatCidr6(cidr: Cidr6): string {
  return `${formatAddress6(cidr.base)}/${cidr.prefix}`;
}

export function cidr6Contains(outer: Cidr6, address: bigint): boolean {
  return (address & ~hostMask(outer.prefix)) === outer.base;
}

export function cidrs6Overlap(a: Cidr6, b: Cidr6): boolean {
  const shorter = a.prefix <= b.prefix ? a : b;
  const longer = shorter === a ? b : a;
  return cidr6Contains(shorter, longer.base);
}

/** Unique local addresses (fd00::/8, RFC 4193): the only IPv6 ranges scenario networks may use. */
export const uniqueLocalRange: Cidr6 = mustParseCidr6('fd00::/8');

export function isUniqueLocalCidr(cidr: Cidr6): boolean {
  return cidr.prefix >= uniqueLocalRange.prefix && cidr6Contains(uniqueLocalRange, cidr.base);
}

/** Whether an address text lies in one of the CIDR texts (IPv6 only; anything else is false). */
export function address6InCidrs(address: string, cidrs: readonly string[]): boolean {
  const value = parseAddress6(address);
  if (value === undefined) return false;
  return cidrs.some((text) => {
    const cidr = parseCidr6(text);
    return typeof cidr !== 'string' && cidr6Contains(cidr, value);
  });
}

/** The first `count` /64 subnets of a CIDR of prefix 64 or shorter, in address order. */
export function subnets64Of(cidr: Cidr6, count: number): string[] {
  const available = cidr.prefix >= 64 ? 1n : 1n << BigInt(64 - cidr.prefix);
  const n = Number(available < BigInt(count) ? available : BigInt(count));
  return Array.from({ length: n }, (_, i) =>
    formatCidr6({ base: cidr.base + (BigInt(i) << 64n), prefix: 64 }),
  );
}
