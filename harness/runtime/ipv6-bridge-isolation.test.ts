import { describe, expect, it } from 'vitest';
import { orphanRoutingRulesScript } from './bridge-routing.ts';
import { ipv6IsolationCommands } from './ipv6-bridge-isolation.ts';

describe('ipv6IsolationCommands', () => {
  it('accepts same-bridge frames first and drops what the engine host would route', () => {
    const added = ipv6IsolationCommands('br-0123456789ab', '-I');
    // Each -I goes to the top: the last one added is evaluated first.
    expect(added.at(-1)).toMatch(/-I FORWARD -i br-0123456789ab -o br-0123456789ab .* -j ACCEPT$/);
    expect(added.slice(0, 2).every((c) => c.endsWith('-j DROP'))).toBe(true);
    expect(added.every((c) => c.includes('--comment sovh-ipv6-isolation'))).toBe(true);
  });

  it('removes exactly the rules it added', () => {
    const added = ipv6IsolationCommands('br-0123456789ab', '-I');
    const removed = ipv6IsolationCommands('br-0123456789ab', '-D');
    expect(removed).toEqual(added.map((c) => c.replace(' -I ', ' -D ')));
  });

  it('leaves both families to the orphan prune', () => {
    const script = orphanRoutingRulesScript('prune');
    expect(script).toContain('iptables DOCKER-USER sovh-zone-routing');
    expect(script).toContain('ip6tables FORWARD sovh-ipv6-isolation');
  });
});
