import { describe, expect, it } from 'vitest';
import { renderFaultList } from './faults-command.ts';

describe('sovh faults', () => {
  it('lists each fault with its parameters, their types and defaults, and its heal', () => {
    const text = renderFaultList();
    expect(text).toContain('hsm-cut: cuts an HSM');
    expect(text).toContain(
      "  --hsm <hsm>  the HSM to cut (default: the world's only HSM simulator, if it has one)",
    );
    expect(text).toContain('  --state <off|degraded>  what is left of the cooling (default: off)');
    expect(text).toContain(
      '  --prefixes <list of string (comma-separated)>  the prefixes it announces (required)',
    );
    expect(text).toContain('  heal: brings the mains and the cooling back');
    expect(text).toContain('kms-revocation: a key server revokes');
    expect(text).toContain('  heal: nothing: a revoked key stays revoked');
    expect(text).toContain(
      '  --handle <string>  the persistent handle of the primary key (default: 0x81000001)',
    );
    expect(text).toContain('npx sovh inject WORLD FAULT');
  });
});
