import { describe, expect, it } from 'vitest';
import type { LoadRequest } from '../../harness/checks/probes/store-load.ts';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { hungHsmRefusedCheck } from './hsm-hang.ts';

const hungAt = 1_000_000;
const window = {
  cutBeganAtMs: hungAt - 20,
  cutAtMs: hungAt,
  healBeganAtMs: hungAt + 6_000,
  healedAtMs: hungAt + 6_030,
};

/** A write every 250 ms on each host, from 1.5 s before the hang to 2 s after its heal. */
function load(servedUntil: Record<string, number>): LoadRequest[] {
  const requests: LoadRequest[] = [];
  for (const host of ['vm1', 'vm2'])
    for (let at = hungAt - 1_500; at < hungAt + 7_000; at += 250) {
      const ok = at < (servedUntil[host] ?? hungAt + 1_000) || at > window.healedAtMs;
      requests.push({
        startedAtMs: at,
        atMs: at + 30,
        host,
        op: 'put',
        objectId: `o-${host}-${at}`,
        status: ok ? 201 : 503,
        ok,
        ...(ok ? {} : { code: 'ERR_CRYPTO_DEVICE_NOT_FOUND' }),
      });
    }
  return requests;
}

async function statusOf(requests: LoadRequest[] | undefined) {
  const h = new History();
  if (requests !== undefined) h.record('observation', 'hsm-hang-load', { window, requests });
  return (await checkStatuses([hungHsmRefusedCheck], h))[hungHsmRefusedCheck.name];
}

describe('hung-hsm-refused-within-bound', () => {
  it('passes a store that refuses from within the bound until the heal', async () => {
    expect(await statusOf(load({}))).toBe('pass');
    // Served up to the bound itself: still in time.
    expect(await statusOf(load({ vm1: hungAt + 2_990 }))).toBe('pass');
  });

  it('fails a host that serves past the bound, or all through the hang', async () => {
    expect(await statusOf(load({ vm2: hungAt + 3_600 }))).toBe('fail');
    expect(await statusOf(load({ vm1: hungAt + 10_000 }))).toBe('fail');
  });

  it('says unknown when a host served nothing before the hang, or the load is missing', async () => {
    const idle = load({}).map((r) => (r.host === 'vm2' ? { ...r, ok: false, status: 503 } : r));
    expect(await statusOf(idle)).toBe('unknown');
    expect(await statusOf(undefined)).toBe('unknown');
  });
});
