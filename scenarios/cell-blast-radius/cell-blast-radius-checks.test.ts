import { describe, expect, it } from 'vitest';
import type { LoadRequest } from '../../harness/checks/probes/store-load.ts';
import type { FaultWindow } from '../../harness/faults/fault-train.ts';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { cellBlastRadiusChecks, cells } from './cell-blast-radius-checks.ts';

/** Three cuts of 3 s, 5 s apart, starting at 10 s. */
const cuts: FaultWindow[] = [10_000, 18_000, 26_000].map((at) => ({
  cutBeganAtMs: at,
  cutAtMs: at + 100,
  healBeganAtMs: at + 3_100,
  healedAtMs: at + 3_400,
}));

interface Behaviour {
  /** How long after each cut cell A refuses writes (the stack's detection). */
  refusesAfterMs?: number;
  /** How long after each heal began cell A accepts writes again. */
  recoversAfterMs?: number;
  /** Cell A never refuses during this cut (0-based). */
  missedCut?: number;
  /** Cell B fails its requests during the cuts. */
  cellBHit?: boolean;
}

/** A PUT against every host every 100 ms from 5 s to 40 s, answered 20 ms later. */
function load(behaviour: Behaviour = {}): LoadRequest[] {
  const refusesAfter = behaviour.refusesAfterMs ?? 300;
  const recoversAfter = behaviour.recoversAfterMs ?? 800;
  const requests: LoadRequest[] = [];
  for (let at = 5_000; at < 40_000; at += 100) {
    const cutIndex = cuts.findIndex(
      (c) => at >= c.cutAtMs + refusesAfter && at < c.healBeganAtMs + recoversAfter,
    );
    for (const host of [...cells.a, ...cells.b]) {
      const inA = host.startsWith('a');
      const down = inA
        ? cutIndex >= 0 && cutIndex !== behaviour.missedCut
        : cutIndex >= 0 && behaviour.cellBHit === true;
      requests.push({
        startedAtMs: at,
        atMs: at + 20,
        host,
        op: 'put',
        objectId: `load-${host}-${at}`,
        status: down ? 503 : 201,
        ok: !down,
      });
    }
  }
  return requests;
}

function history(requests: LoadRequest[], windows: FaultWindow[] = cuts): History {
  const h = new History();
  h.record('observation', 'load', { loadStartedAtMs: 5_000, cuts: windows, requests });
  return h;
}

describe('cell-blast-radius checks', () => {
  it('all pass on the evidence of a correct stack', async () => {
    expect(await checkStatuses(cellBlastRadiusChecks, history(load()))).toEqual({
      'cell-b-unaffected': 'pass',
      'fault-hit-cell-a': 'pass',
      'cell-a-recovers': 'pass',
    });
  });

  it('fail fault-hit-cell-a when cell A accepts writes past the bound, at one cut of three', async () => {
    const late = await checkStatuses(cellBlastRadiusChecks, history(load({ missedCut: 1 })));
    expect(late['fault-hit-cell-a']).toBe('fail');
    const slow = await checkStatuses(
      cellBlastRadiusChecks,
      history(load({ refusesAfterMs: 1_500 })),
    );
    expect(slow['fault-hit-cell-a']).toBe('fail');
  });

  it('fail fault-hit-cell-a when a cut had no cell A write in its window, or there was no cut', async () => {
    const quiet = load().filter(
      (r) => !(r.host.startsWith('a') && r.atMs > 18_000 && r.atMs < 22_000),
    );
    expect((await checkStatuses(cellBlastRadiusChecks, history(quiet)))['fault-hit-cell-a']).toBe(
      'fail',
    );
    const none = await checkStatuses(cellBlastRadiusChecks, history(load(), []));
    expect(none['fault-hit-cell-a']).toBe('fail');
    expect(none['cell-a-recovers']).toBe('fail');
  });

  it('fail cell-a-recovers when cell A is still closed at the next cut', async () => {
    const slow = await checkStatuses(
      cellBlastRadiusChecks,
      history(load({ recoversAfterMs: 6_000 })),
    );
    expect(slow['cell-a-recovers']).toBe('fail');
    expect(slow['fault-hit-cell-a']).toBe('pass');
  });

  it('fail cell-b-unaffected when the cut reaches cell B', async () => {
    const shared = await checkStatuses(cellBlastRadiusChecks, history(load({ cellBHit: true })));
    expect(shared['cell-b-unaffected']).toBe('fail');
  });
});
