import { describe, expect, it } from 'vitest';
import { hasEgressFilter, nftOutputPolicy } from './kernel-ruleset.ts';

const dockerDns = `table ip nat {
\tchain DOCKER_OUTPUT {
\t}
\tchain OUTPUT {
\t\ttype nat hook output priority -100; policy accept;
\t}
}`;
const nftFence = `table inet residency {
\tchain output {
\t\ttype filter hook output priority filter; policy drop;
\t\toif "lo" accept
\t}
}`;
const legacyDrop = '*filter\n:INPUT ACCEPT [0:0]\n:OUTPUT DROP [0:0]\nCOMMIT\n';
const legacyAcceptEmpty = '*filter\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n';

function nftJson(chains: { hook: string; type: string; policy: string }[]): string {
  return JSON.stringify({
    nftables: [
      { metainfo: { json_schema_version: 1 } },
      ...chains.map((c, i) => ({ chain: { family: 'inet', table: 't', name: `c${i}`, ...c } })),
      { rule: { family: 'inet', table: 't', chain: 'c0', expr: [] } },
    ],
  });
}

describe('hasEgressFilter', () => {
  it('sees a filter chain on the output hook, whichever front end made it', () => {
    expect(hasEgressFilter(nftFence, '')).toBe(true);
    expect(hasEgressFilter('', legacyDrop)).toBe(true);
    expect(hasEgressFilter('', '*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -j DROP\nCOMMIT\n')).toBe(
      true,
    );
  });

  it("does not take the engine's DNS redirection (a nat chain) or an empty table for a fence", () => {
    expect(hasEgressFilter(dockerDns, '')).toBe(false);
    expect(hasEgressFilter(dockerDns, legacyAcceptEmpty)).toBe(false);
    expect(hasEgressFilter('', '')).toBe(false);
  });
});

describe('nftOutputPolicy', () => {
  it('is DROP when any filter chain on the output hook drops by default', () => {
    expect(
      nftOutputPolicy(
        nftJson([
          { hook: 'output', type: 'nat', policy: 'accept' },
          { hook: 'output', type: 'filter', policy: 'drop' },
        ]),
      ),
    ).toBe('DROP');
  });

  it('is ACCEPT when no output filter chain drops, nat chains and input chains aside', () => {
    expect(
      nftOutputPolicy(
        nftJson([
          { hook: 'output', type: 'nat', policy: 'drop' },
          { hook: 'input', type: 'filter', policy: 'drop' },
          { hook: 'output', type: 'filter', policy: 'accept' },
        ]),
      ),
    ).toBe('ACCEPT');
    expect(nftOutputPolicy(nftJson([]))).toBe('ACCEPT');
  });

  it('is unknown when the ruleset could not be read', () => {
    expect(nftOutputPolicy('')).toBe('unknown');
    expect(nftOutputPolicy('nft: permission denied')).toBe('unknown');
  });
});
