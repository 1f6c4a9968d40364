import { describe, expect, it } from 'vitest';
import type { LoadRequest } from '../../harness/checks/probes/store-load.ts';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import {
  bootWaitsForKmsCheck,
  bootWithoutKms,
  type BootWithoutKmsObservation,
} from './boot-without-kms.ts';

const bootBeganAtMs = 1_000_000;
const kmsBackBeganAtMs = bootBeganAtMs + 12_000;

/** Writes every 250 ms over the first 16 s of the boot: served from `servedFromMs` on. */
function load(servedFromMs: number | undefined): LoadRequest[] {
  return Array.from({ length: 64 }, (_, i) => {
    const atMs = bootBeganAtMs + 250 * i;
    const ok = servedFromMs !== undefined && atMs >= servedFromMs;
    return {
      startedAtMs: atMs - 5,
      atMs,
      host: 'vm3',
      op: 'put' as const,
      objectId: `o${String(i)}`,
      status: ok ? 201 : 0,
      ok,
      ...(ok ? {} : { error: '[Errno 111] Connection refused' }),
    };
  });
}

/** A boot that waited for the KMS; `change` breaks one piece of evidence. */
function history(change: Partial<BootWithoutKmsObservation> = {}): History {
  const h = new History();
  h.record('observation', bootWithoutKms.name, {
    host: 'vm3',
    bootBeganAtMs,
    askedAtMs: bootBeganAtMs + 1_500,
    attemptsWhileDown: 21,
    kmsBackBeganAtMs,
    requests: load(kmsBackBeganAtMs + 1_800),
    hsmDecryptsWhileDownAtMs: [],
    ...change,
  });
  return h;
}

const verdict = async (h: History) =>
  (await checkStatuses([bootWaitsForKmsCheck], h))['boot-waits-for-kms'];

describe('boot-waits-for-kms', () => {
  it('passes a boot that stayed closed until the KMS was reachable, then served', async () => {
    expect(await verdict(history())).toBe('pass');
  });

  it('fails a boot that served without the KMS, or unwrapped at the HSM without it', async () => {
    expect(await verdict(history({ requests: load(bootBeganAtMs + 6_500) }))).toBe('fail');
    expect(await verdict(history({ hsmDecryptsWhileDownAtMs: [bootBeganAtMs + 6_400] }))).toBe(
      'fail',
    );
  });

  it('fails a boot that gave up: nothing served once the KMS was reachable', async () => {
    expect(await verdict(history({ requests: load(undefined) }))).toBe('fail');
  });

  it('is unknown when the boot never asked the KMS, or no request ran meanwhile', async () => {
    const h = new History();
    h.record('observation', bootWithoutKms.name, {
      host: 'vm3',
      bootBeganAtMs,
      attemptsWhileDown: 0,
      kmsBackBeganAtMs,
      requests: load(kmsBackBeganAtMs + 1_800),
      hsmDecryptsWhileDownAtMs: [],
    });
    expect(await verdict(h)).toBe('unknown');
    expect(
      await verdict(
        history({
          requests: load(kmsBackBeganAtMs + 1_800).filter((r) => r.atMs >= kmsBackBeganAtMs),
        }),
      ),
    ).toBe('unknown');
    expect(await verdict(new History())).toBe('unknown');
  });
});
