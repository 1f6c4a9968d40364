import { describe, expect, it } from 'vitest';
import type { LoadRequest } from '../../harness/checks/probes/store-load.ts';
import { hsmRefusalBound } from '../../harness/contract/key-custody-bounds.ts';
import { History } from '../../harness/scenario/history.ts';
import { boundsInForce } from '../../harness/scenario/scenario-bounds.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { hsmCableCutChecks } from './hsm-cable-cut-checks.ts';
import type { CutWindow, KeyInMemoryObservation } from './hsm-cable-cut-evidence.ts';

const hosts = ['vm1', 'vm2'];
const cut: CutWindow = {
  cutBeganAtMs: 10_000,
  cutAtMs: 10_300,
  healBeganAtMs: 15_000,
  healedAtMs: 16_000,
};
const standing = (host: string) => `before-cut-${host}`;

/**
 * A load every 200 ms from 5 s to 25 s: PUT, GET of it, GET of the standing object. A correct
 * stack refuses everything from `refusedFromMs` after the cut until it recovers 1 s after the heal.
 */
function load(
  options: {
    refusedFromMs?: number;
    readsServed?: boolean;
    recovered?: boolean;
    refusalCode?: string;
  } = {},
): LoadRequest[] {
  const refusedFrom = cut.cutAtMs + (options.refusedFromMs ?? 600);
  const requests: LoadRequest[] = [];
  for (let at = 5_000; at < 25_000; at += 200) {
    const down = at >= refusedFrom && (at < cut.healedAtMs + 1_000 || options.recovered === false);
    for (const host of hosts) {
      const one = (op: 'put' | 'get', objectId: string, offset: number, served: boolean) => ({
        startedAtMs: at + offset,
        atMs: at + offset + 20,
        host,
        op,
        objectId,
        status: served ? (op === 'put' ? 201 : 200) : 503,
        ok: served,
        ...(served ? {} : { code: options.refusalCode ?? 'ERR_CRYPTO_DEVICE_NOT_FOUND' }),
      });
      requests.push(one('put', `load-${host}-${at}`, 0, !down));
      requests.push(one('get', `load-${host}-${at}`, 30, !down));
      requests.push(
        one('get', standing(host), 60, !down || (options.readsServed === true && at > refusedFrom)),
      );
    }
  }
  return requests;
}

function scan(
  host: string,
  phase: KeyInMemoryObservation['phase'],
  found: boolean,
  startedAtMs = phase === 'before-cut' ? 4_000 : cut.cutAtMs + 1_100,
): KeyInMemoryObservation {
  return {
    host,
    phase,
    startedAtMs,
    finishedAtMs: startedAtMs + 2_000,
    foundInMemory: found ? ['data-key'] : [],
    processes: 12,
    bytesScanned: 80_000_000,
    description: found ? 'pid 7 (python3 -m residency.main): 1 hit(s) [data-key]' : 'nothing found',
    errors: [],
  };
}

function history(
  options: {
    requests?: LoadRequest[];
    scans?: KeyInMemoryObservation[];
    bounds?: Record<string, number>;
    cuts?: number;
    lossLines?: number;
  } = {},
): History {
  const h = new History();
  if (options.bounds !== undefined) h.record('observation', boundsInForce.name, options.bounds);
  h.record('observation', 'fault-load', {
    // Later cuts come after the load's window: only their count matters to the log check.
    cuts: Array.from({ length: options.cuts ?? 1 }, (_, i) => ({
      ...cut,
      cutAtMs: cut.cutAtMs + i * 100_000,
      healedAtMs: cut.healedAtMs + i * 100_000,
    })),
    standing: Object.fromEntries(hosts.map((host) => [host, standing(host)])),
    requests: options.requests ?? load(),
  });
  for (const s of options.scans ??
    hosts.flatMap((host) => [scan(host, 'before-cut', true), scan(host, 'during-cut', false)]))
    h.record('observation', 'key-in-memory', s);
  for (const host of hosts) {
    h.record('observation', 'disk-after-fault', {
      host,
      refusedButStored: [],
      payloadsInClear: [],
      secureLogLines: Array.from(
        { length: options.lossLines ?? 1 },
        () => 'ERR_CRYPTO_DEVICE_NOT_FOUND: HSM hsm-a cannot be reached',
      ),
    });
    h.record('observation', 'same-boot', {
      host,
      readBackBefore: { status: 200, matches: true },
      agentBefore: '7 python3 -m residency.main',
      agentAfter: '7 python3 -m residency.main',
      containerBefore: 'c1',
      containerAfter: 'c1',
    });
  }
  return h;
}

describe('hsm-cable-cut checks', () => {
  it('all pass on the evidence of a correct stack', async () => {
    expect(Object.values(await checkStatuses(hsmCableCutChecks, history()))).toEqual(
      Array(hsmCableCutChecks.length).fill('pass'),
    );
  });

  it('the refusal bound is two HSM watch intervals: a stack that refuses 3 s late fails it', async () => {
    expect(hsmRefusalBound.contract).toBe(1_000);
    const late = await checkStatuses(
      hsmCableCutChecks,
      history({ requests: load({ refusedFromMs: 3_000 }) }),
    );
    expect(late['writes-refused-within-bound']).toBe('fail');
    expect(late['reads-refused-within-bound']).toBe('fail');
  });

  it('a stack may tighten the bound, and is then held to it', async () => {
    const tight = await checkStatuses(
      hsmCableCutChecks,
      history({ bounds: { hsmRefusalMs: 400 } }),
    );
    expect(tight['writes-refused-within-bound']).toBe('fail');
  });

  it('fail reads-refused-within-bound when reads of stored data go on during the cut', async () => {
    const statuses = await checkStatuses(
      hsmCableCutChecks,
      history({ requests: load({ readsServed: true }) }),
    );
    expect(statuses['reads-refused-within-bound']).toBe('fail');
    expect(statuses['writes-refused-within-bound']).toBe('pass');
  });

  it('fail data-key-gone-during-cut when the key is in memory during the cut', async () => {
    const scans = hosts.flatMap((host) => [
      scan(host, 'before-cut', true),
      scan(host, 'during-cut', host === 'vm2'),
    ]);
    expect(
      (await checkStatuses(hsmCableCutChecks, history({ scans })))['data-key-gone-during-cut'],
    ).toBe('fail');
  });

  it('say unknown when the scan never saw the key (no positive control) or ran outside the cut', async () => {
    const blind = hosts.flatMap((host) => [
      scan(host, 'before-cut', false),
      scan(host, 'during-cut', false),
    ]);
    expect(
      (await checkStatuses(hsmCableCutChecks, history({ scans: blind })))[
        'data-key-gone-during-cut'
      ],
    ).toBe('unknown');
    const early = hosts.flatMap((host) => [
      scan(host, 'before-cut', true),
      scan(host, 'during-cut', false, cut.cutAtMs + 100),
    ]);
    expect(
      (await checkStatuses(hsmCableCutChecks, history({ scans: early })))[
        'data-key-gone-during-cut'
      ],
    ).toBe('unknown');
  });

  it('fail device-not-found-logged when a host logs fewer losses than there were cuts', async () => {
    const statuses = (cuts: number, lossLines: number) =>
      checkStatuses(hsmCableCutChecks, history({ cuts, lossLines }));
    expect((await statuses(3, 1))['device-not-found-logged']).toBe('fail');
    expect((await statuses(3, 3))['device-not-found-logged']).toBe('pass');
  });

  it('fail refusals-name-device-not-found when the store refuses with another reason, or none', async () => {
    for (const refusalCode of ['KEYS_WIPED', '']) {
      const statuses = await checkStatuses(
        hsmCableCutChecks,
        history({ requests: load({ refusalCode }) }),
      );
      expect(statuses['writes-refused-within-bound']).toBe('pass');
      expect(statuses['refusals-name-device-not-found']).toBe('fail');
    }
    // No refusal with an answer in any window (every request unanswered): nothing to judge.
    const unanswered = load().map((r) => (r.ok ? r : { ...r, status: 0, code: undefined }));
    expect(
      (await checkStatuses(hsmCableCutChecks, history({ requests: unanswered })))[
        'refusals-name-device-not-found'
      ],
    ).toBe('unknown');
  });

  it('fail recovers-without-restart when writes never come back', async () => {
    expect(
      (await checkStatuses(hsmCableCutChecks, history({ requests: load({ recovered: false }) })))[
        'recovers-without-restart'
      ],
    ).toBe('fail');
  });

  it('say unknown, never pass, when the run stopped before the evidence was taken', async () => {
    expect(Object.values(await checkStatuses(hsmCableCutChecks, new History()))).toEqual(
      Array(hsmCableCutChecks.length).fill('unknown'),
    );
  });
});
