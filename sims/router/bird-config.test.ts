import { describe, expect, it } from 'vitest';
import { announcedPrefixes, birdRouterConfig } from './bird-config.ts';

describe('BIRD configuration of a router', () => {
  const config = birdRouterConfig({
    routerId: '10.40.0.3',
    asn: 64510,
    neighbors: [
      { name: 'peer_ixp', address: '10.60.0.4', asn: 64600, dynamic: false },
      { name: 'hosts_sovereign', address: '10.40.0.0/24', asn: 65001, dynamic: true },
    ],
  });

  it('opens a session to a router peer and accepts any host of a subnet passively', () => {
    expect(config).toContain(
      'protocol bgp peer_ixp {\n  local as 64510;\n  neighbor 10.60.0.4 as 64600;',
    );
    expect(config).toMatch(
      /protocol bgp hosts_sovereign \{\n {2}local as 64510;\n {2}neighbor range 10\.40\.0\.0\/24 as 65001;\n {2}passive on;/,
    );
  });

  it('installs only BGP routes in its kernel table and originates the announced file', () => {
    expect(config).toContain('export where source = RTS_BGP;');
    expect(config).toContain('include "/etc/bird/announced.conf";');
  });

  it('writes announced prefixes as routes of the static protocol', () => {
    expect(announcedPrefixes(['10.41.0.0/16', '10.41.0.0/17'])).toBe(
      'route 10.41.0.0/16 unreachable;\nroute 10.41.0.0/17 unreachable;\n',
    );
    expect(announcedPrefixes([])).toBe('\n');
    expect(announcedPrefixes(['10.41.0.0/17', '10.41.128.0/17'], { '10.41.0.0/17': 64501 })).toBe(
      'route 10.41.0.0/17 unreachable { bgp_path.prepend(64501); };\nroute 10.41.128.0/17 unreachable;\n',
    );
  });
});
