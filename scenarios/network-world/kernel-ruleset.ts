/**
 * Reading a network namespace's firewall as the kernel holds it, whichever front end loaded it
 * (nft, iptables-nft, iptables-legacy): the harness reads it with its own tools, never the stack's.
 */

/** Whether a namespace's rulesets (nft's view, and iptables-legacy's) filter what goes out. */
export function hasEgressFilter(nftRuleset: string, legacySave: string): boolean {
  if (/type filter hook output\b/.test(nftRuleset)) return true;
  const lines = legacySave.split('\n');
  const start = lines.indexOf('*filter');
  if (start < 0) return false;
  const filter = lines.slice(start, lines.indexOf('COMMIT', start));
  return filter.some((l) => l.startsWith(':OUTPUT DROP') || l.startsWith('-A OUTPUT '));
}

/**
 * The effective output policy of a namespace from nft's JSON ruleset: a packet leaves only when
 * every base chain on the output hook lets it, so one such chain whose policy is drop makes the
 * default deny, whichever front end (nft, iptables-nft) made it.
 */
export function nftOutputPolicy(nftJson: string): 'DROP' | 'ACCEPT' | 'unknown' {
  let parsed: { nftables?: { chain?: { hook?: string; type?: string; policy?: string } }[] };
  try {
    parsed = JSON.parse(nftJson) as typeof parsed;
  } catch {
    return 'unknown';
  }
  const chains = (parsed.nftables ?? [])
    .map((entry) => entry.chain)
    .filter((c) => c !== undefined && c.hook === 'output' && c.type === 'filter');
  return chains.some((c) => c?.policy === 'drop') ? 'DROP' : 'ACCEPT';
}
