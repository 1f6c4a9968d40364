import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import {
  revokedKeyBoot,
  revokedKeyBootCheck,
  type RevokedKeyBootObservation,
} from './revoked-key-boot.ts';

const bootBeganAtMs = 1_000_000;

/** A boot that refused the revoked key; `change` breaks one piece of evidence. */
function history(change: Partial<RevokedKeyBootObservation> = {}): History {
  const h = new History();
  h.record('observation', revokedKeyBoot.name, {
    host: 'vm1',
    hsm: 'hsm-a',
    bootBeganAtMs,
    probes: Array.from({ length: 20 }, (_, i) => ({
      atMs: bootBeganAtMs + 400 * i,
      connected: false,
    })),
    hsmDecryptsAtMs: [],
    keyNotActiveLines: ['... KEY_NOT_ACTIVE: KMS says data key 1 is COMPROMISED'],
    ...change,
  });
  return h;
}

const verdict = async (h: History) =>
  (await checkStatuses([revokedKeyBootCheck], h))['revoked-key-refused-at-boot'];

describe('revoked-key-refused-at-boot', () => {
  it('passes a boot with no unwrap and a closed store', async () => {
    expect(await verdict(history())).toBe('pass');
  });

  it('fails an unwrap at the HSM, also when the store stayed closed', async () => {
    expect(await verdict(history({ hsmDecryptsAtMs: [bootBeganAtMs + 650] }))).toBe('fail');
  });

  it('fails a store that accepted a connection after the boot', async () => {
    const probes = [{ atMs: bootBeganAtMs + 700, connected: true }];
    expect(await verdict(history({ probes }))).toBe('fail');
  });

  it('says unknown when too few probes answered to tell, and when the boot was never watched', async () => {
    expect(await verdict(history({ probes: [] }))).toBe('unknown');
    expect(await verdict(new History())).toBe('unknown');
  });
});
