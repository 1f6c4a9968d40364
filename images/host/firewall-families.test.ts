import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const stackRoot = join(import.meta.dirname, 'rootfs', 'usr', 'lib', 'residency');

/** The reference fence's rule files for both address families, rendered from one site file. */
function render(site: object): { v4: string; v6: string } {
  const script = String.raw`
import json, sys
from residency import firewall
site = json.loads(sys.argv[1])
print(json.dumps({"v4": firewall.render_rules(site), "v6": firewall.render_rules(site, 6)}))
`;
  const output = execFileSync('python3', ['-c', script, JSON.stringify(site)], {
    cwd: stackRoot,
    encoding: 'utf8',
  });
  return JSON.parse(output) as { v4: string; v6: string };
}

const site = {
  host: 'vm1',
  zone: { name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign' },
  domesticCidrs: ['10.40.0.0/16', 'fd5a:40::/48'],
  sovereignApis: [
    { name: 'api', address: '10.30.0.5', port: 443 },
    { name: 'api6', address: 'fd5a:30::5', port: 443 },
  ],
};

describe('the reference fence in both address families', () => {
  it('keeps each family to its own ranges and endpoints', () => {
    const { v4, v6 } = render(site);
    expect(v4).toContain('-A OUTPUT -d 10.40.0.0/16 -j ACCEPT');
    expect(v4).toContain('-A OUTPUT -d 10.30.0.5/32 -p tcp --dport 443 -j ACCEPT');
    expect(v4).not.toMatch(/fd5a/);
    expect(v6).toContain('-A OUTPUT -d fd5a:40::/48 -j ACCEPT');
    expect(v6).toContain('-A OUTPUT -d fd5a:30::5/128 -p tcp --dport 443 -j ACCEPT');
    expect(v6).not.toMatch(/10\.\d+\.\d+\.\d+/);
  });

  it('drops by default in IPv6 too, letting only link-local neighbour discovery through', () => {
    const { v4, v6 } = render(site);
    expect(v6).toContain(':OUTPUT DROP [0:0]');
    expect(v6).toMatch(/-A OUTPUT -j NFLOG .*GEOGRAPHIC_FENCE_ERROR/);
    const discovery = v6.split('\n').filter((l) => l.includes('icmpv6-type'));
    expect(discovery.length).toBeGreaterThan(0);
    expect(discovery.every((l) => l.includes('--hl-eq 255'))).toBe(true);
    expect(discovery.some((l) => l.includes('echo-request'))).toBe(false);
    // Out, to the link alone: a router forwards a solicitation addressed abroad like any packet.
    const out = discovery.filter((l) => l.startsWith('-A OUTPUT'));
    expect(out.length).toBeGreaterThan(0);
    expect(out.every((l) => / -d (ff02::\/16|fe80::\/10) /.test(l))).toBe(true);
    expect(v4).not.toContain('icmpv6');
  });

  it('renders an IPv6 fence with nothing domestic for an IPv4-only site: everything dropped', () => {
    const { v6 } = render({ ...site, domesticCidrs: ['10.40.0.0/16'], sovereignApis: [] });
    expect(v6).not.toMatch(/-A OUTPUT -d /);
    expect(v6).toContain(':OUTPUT DROP [0:0]');
  });
});
