import { describe, expect, it } from 'vitest';
import {
  cidrsOverlap,
  isPrivateCidr,
  mustParseCidr,
  nthAddress,
  parseCidr,
  subnetsOf,
} from './cidr.ts';

describe('cidr', () => {
  it('parses a network and rejects host bits, big octets and garbage with a reason', () => {
    expect(parseCidr('10.20.0.0/16')).toEqual({ base: (10 * 256 + 20) * 65536, prefix: 16 });
    expect(parseCidr('10.20.0.1/16')).toMatch(/host bits set; the network is 10\.20\.0\.0\/16/);
    expect(parseCidr('10.300.0.0/16')).toMatch(/octet above 255/);
    expect(parseCidr('10.0.0.0/33')).toMatch(/prefix length above 32/);
    expect(parseCidr('ten/8')).toMatch(/not an IPv4 CIDR/);
  });

  it('tells overlapping ranges from disjoint ones', () => {
    expect(cidrsOverlap('10.0.0.0/8', '10.20.0.0/16')).toBe(true);
    expect(cidrsOverlap('10.20.0.0/24', '10.20.1.0/24')).toBe(false);
  });

  it('accepts only RFC 1918 ranges as private', () => {
    expect(isPrivateCidr(mustParseCidr('172.16.4.0/24'))).toBe(true);
    expect(isPrivateCidr(mustParseCidr('8.8.8.0/24'))).toBe(false);
    expect(isPrivateCidr(mustParseCidr('10.0.0.0/7'))).toBe(false);
  });

  it('carves subnets in order and numbers addresses inside them', () => {
    expect([...subnetsOf(mustParseCidr('10.40.0.0/23'), 24)]).toEqual([
      '10.40.0.0/24',
      '10.40.1.0/24',
    ]);
    expect([...subnetsOf(mustParseCidr('10.40.0.0/28'), 24)]).toEqual(['10.40.0.0/28']);
    expect(nthAddress('10.40.1.0/24', 3)).toBe('10.40.1.3');
    expect(() => nthAddress('10.40.1.0/30', 3)).toThrow(/does not fit/);
  });
});
