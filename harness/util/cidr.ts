/** IPv4 address and CIDR arithmetic, the little the topology needs. */

export interface Cidr {
  /** The network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

const cidrPattern = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const addressPattern = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function octetsToNumber(octets: string[]): number | undefined {
  let value = 0;
  for (const octet of octets) {
    const n = Number(octet);
    if (!Number.isInteger(n) || n < 0 || n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

export function parseAddress(text: string): number | undefined {
  const match = addressPattern.exec(text);
  return match === null ? undefined : octetsToNumber(match.slice(1, 5));
}

export function formatAddress(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

function maskSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

/**
 * Parses "a.b.c.d/n". Returns a reason string instead of a value when the text is not a CIDR or
 * has host bits set, so that validation errors can say exactly what is wrong.
 */
export function parseCidr(text: string): Cidr | string {
  const match = cidrPattern.exec(text);
  if (match === null) return `"${text}" is not an IPv4 CIDR like 10.20.0.0/16`;
  const base = octetsToNumber(match.slice(1, 5));
  const prefix = Number(match[5]);
  if (base === undefined) return `"${text}" has an octet above 255`;
  if (prefix > 32) return `"${text}" has a prefix length above 32`;
  if (base % maskSize(prefix) !== 0) {
    const network = formatAddress(base - (base % maskSize(prefix)));
    return `"${text}" has host bits set; the network is ${network}/${prefix}`;
  }
  return { base, prefix };
}

export function mustParseCidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (typeof parsed === 'string') throw new TypeError(parsed);
  return parsed;
}

export function formatCidr(cidr: Cidr): string {
  return `${formatAddress(cidr.base)}/${cidr.prefix}`;
}

export function cidrSize(cidr: Cidr): number {
  return maskSize(cidr.prefix);
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return (
    inner.prefix >= outer.prefix &&
    inner.base >= outer.base &&
    inner.base + cidrSize(inner) <= outer.base + cidrSize(outer)
  );
}

export function addressInCidr(address: number, cidr: Cidr): boolean {
  return address >= cidr.base && address < cidr.base + cidrSize(cidr);
}

export function cidrsOverlap(a: Cidr | string, b: Cidr | string): boolean {
  const x = typeof a === 'string' ? parseCidr(a) : a;
  const y = typeof b === 'string' ? parseCidr(b) : b;
  if (typeof x === 'string' || typeof y === 'string') return false;
  return x.base < y.base + cidrSize(y) && y.base < x.base + cidrSize(x);
}

/** RFC 1918 ranges: the only ones scenario networks may use. */
export const privateRanges: readonly Cidr[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map(
  mustParseCidr,
);

export function isPrivateCidr(cidr: Cidr): boolean {
  return privateRanges.some((range) => cidrContains(range, cidr));
}

/** The subnets of a given prefix length inside a CIDR, in address order. */
export function* subnetsOf(cidr: Cidr, prefix: number): Generator<string> {
  if (prefix < cidr.prefix) {
    yield formatCidr(cidr);
    return;
  }
  const step = maskSize(prefix);
  for (let base = cidr.base; base < cidr.base + cidrSize(cidr); base += step) {
    yield formatCidr({ base, prefix });
  }
}

/** The n-th address of a subnet (0 is the network address). */
export function nthAddress(subnet: string, n: number): string {
  const cidr = mustParseCidr(subnet);
  if (n <= 0 || n >= cidrSize(cidr) - 1) {
    throw new RangeError(`address #${n} does not fit in ${subnet}`);
  }
  return formatAddress(cidr.base + n);
}
