import { describe, expect, it } from 'vitest';
import { assertOfferable, resolverOptions } from './resolver.ts';

describe('a resolver offered over IPv6', () => {
  it('is refused in a zone without an IPv6 range, naming the fix', () => {
    expect(() => {
      assertOfferable('global-dns', 'foreign', 'ipv6', false);
    }).toThrow(
      /resolver global-dns is offered over IPv6, but its zone foreign has no IPv6 range: give the zone ipv6Cidrs, or offer it over ipv4/,
    );
    expect(() => {
      assertOfferable('global-dns', 'foreign', 'ipv6', true);
    }).not.toThrow();
    expect(() => {
      assertOfferable('global-dns', 'foreign', 'ipv4', false);
    }).not.toThrow();
  });

  it('is offered over IPv4 unless told otherwise', () => {
    expect(resolverOptions.parse({ role: 'sovereign' }).offeredOver).toBe('ipv4');
    expect(() => resolverOptions.parse({ role: 'global', offeredOver: 'ipx' })).toThrow();
  });
});
