import { describe, expect, it } from 'vitest';
import {
  address6InCidrs,
  cidrs6Overlap,
  formatAddress6,
  isUniqueLocalCidr,
  mustParseCidr6,
  parseAddress6,
  parseCidr6,
  subnets64Of,
} from './cidr6.ts';

describe('IPv6 addresses', () => {
  it('parses and formats them canonically', () => {
    const value = parseAddress6('FD5A:0010:0000:0000:0000:0000:0000:0002');
    expect(value).toBe((0xfd5an << 112n) | (0x10n << 96n) | 2n);
    expect(formatAddress6(value ?? 0n)).toBe('fd5a:10::2');
    expect(formatAddress6(parseAddress6('fd5a:0:0:1:0:0:0:1') ?? 0n)).toBe('fd5a:0:0:1::1');
    expect(formatAddress6(parseAddress6('::') ?? 1n)).toBe('::');
    expect(formatAddress6(parseAddress6('1:2:3:4:5:6:7:8') ?? 0n)).toBe('1:2:3:4:5:6:7:8');
    expect(parseAddress6('::ffff:10.0.0.1')).toBe((0xffffn << 32n) | 0x0a000001n);
  });

  it('refuses what is not an IPv6 address', () => {
    expect(parseAddress6('10.0.0.1')).toBeUndefined();
    expect(parseAddress6('fd5a::g')).toBeUndefined();
  });
});

describe('IPv6 CIDRs', () => {
  it('names what is wrong with a bad CIDR', () => {
    expect(parseCidr6('fd5a:10::/48')).toEqual({ base: 0xfd5a0010n << 96n, prefix: 48 });
    expect(parseCidr6('10.0.0.0/8')).toMatch(/not an IPv6 CIDR/);
    expect(parseCidr6('fd5a::/129')).toMatch(/prefix length/);
    expect(parseCidr6('fd5a::1/64')).toMatch(/host bits set; the network is fd5a::\/64/);
  });

  it('tells unique local ranges, overlaps and membership', () => {
    expect(isUniqueLocalCidr(mustParseCidr6('fd5a:10::/48'))).toBe(true);
    expect(isUniqueLocalCidr(mustParseCidr6('2001:db8::/32'))).toBe(false);
    expect(isUniqueLocalCidr(mustParseCidr6('fc00::/7'))).toBe(false);
    expect(cidrs6Overlap(mustParseCidr6('fd5a::/16'), mustParseCidr6('fd5a:10::/48'))).toBe(true);
    expect(cidrs6Overlap(mustParseCidr6('fd5a:10::/48'), mustParseCidr6('fd5a:11::/48'))).toBe(
      false,
    );
    expect(address6InCidrs('fd5a:10::7', ['fd5a:11::/48', 'fd5a:10::/48'])).toBe(true);
    expect(address6InCidrs('fd5a:12::7', ['fd5a:10::/48'])).toBe(false);
    expect(address6InCidrs('10.0.0.1', ['fd5a:10::/48'])).toBe(false);
  });

  it('carves /64 subnets in order, as many as the range holds', () => {
    expect(subnets64Of(mustParseCidr6('fd5a:10::/48'), 3)).toEqual([
      'fd5a:10::/64',
      'fd5a:10:0:1::/64',
      'fd5a:10:0:2::/64',
    ]);
    expect(subnets64Of(mustParseCidr6('fd5a:10:0:7::/64'), 3)).toEqual(['fd5a:10:0:7::/64']);
  });
});
