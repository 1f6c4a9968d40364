import { describe, expect, it } from 'vitest';
import { addressInAnyCidr } from './address-in-cidrs.ts';

describe('addressInAnyCidr', () => {
  const dualStack = ['10.40.0.0/16', 'fd5a:40::/48'];

  it('finds an address of either family in the ranges of its own family', () => {
    expect(addressInAnyCidr('10.40.3.7', dualStack)).toBe(true);
    expect(addressInAnyCidr('fd5a:40::5', dualStack)).toBe(true);
    expect(addressInAnyCidr('10.80.0.4', dualStack)).toBe(false);
    expect(addressInAnyCidr('fd5a:80::4', dualStack)).toBe(false);
  });

  it('keeps out what is not an address, and an IPv4 list never holds an IPv6 address', () => {
    expect(addressInAnyCidr('', dualStack)).toBe(false);
    expect(addressInAnyCidr('api.example', dualStack)).toBe(false);
    expect(addressInAnyCidr('fd5a:40::5', ['10.40.0.0/16'])).toBe(false);
  });
});
