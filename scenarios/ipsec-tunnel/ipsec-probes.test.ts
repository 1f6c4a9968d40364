import { describe, expect, it } from 'vitest';
import { datagramCommand } from './ipsec-probes.ts';

describe('ipsec-tunnel probes', () => {
  it('send one datagram to each target with the marker as its payload, and refuse odd markers', () => {
    const command = datagramCommand(['10.54.0.3', '10.55.0.3'], 'sovh-site-0011223344556677');
    expect(command.slice(3)).toEqual(['sovh-site-0011223344556677', '10.54.0.3', '10.55.0.3']);
    expect(command[2]).toContain('(t, 9)');
    expect(() => datagramCommand(['10.54.0.3'], 'a b; rm')).toThrow(/marker/);
    expect(() => datagramCommand(['gw-b'], 'sovh-site-00112233')).toThrow(/dotted IPv4/);
  });
});
