import { lastObservation, type Check } from '../../harness/checks/check.ts';
import type { LoadRequest } from '../../harness/checks/probes/store-load.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { hsmRefusalBound } from '../../harness/contract/key-custody-bounds.ts';
import { boundValue } from '../../harness/scenario/scenario-bounds.ts';

export const cells = { a: ['a1', 'a2', 'a3'], b: ['b1', 'b2', 'b3'] } as const;

/** The schedule of the load: cut cell A's HSM after 4 s, heal it after 12 s, stop at 30 s. */
export const loadPlan = { durationMs: 30_000, cutAfterMs: 4_000, healAfterMs: 12_000 } as const;
/** Recovery has no contract bound; the HSM scenarios hold it to this much after the heal. */
const recoveryBoundMs = 12_000;

interface LoadObservation {
  loadStartedAtMs: number;
  cutAtMs: number;
  /** When the heal began: the HSM may answer before the heal step returns. */
  healBeganAtMs: number;
  healedAtMs: number;
  requests: LoadRequest[];
}

function inCell(requests: readonly LoadRequest[], cell: readonly string[]): LoadRequest[] {
  return requests.filter((r) => cell.includes(r.host));
}

function describe(requests: readonly LoadRequest[], since: number): string {
  return requests
    .map(
      (r) =>
        `${r.host} ${r.op} +${Math.round(r.atMs - since)}ms ${r.status}${r.error === undefined ? '' : ` (${r.error})`}`,
    )
    .join(', ');
}

export const cellBlastRadiusChecks: Check[] = [
  {
    name: 'cell-b-unaffected',
    description:
      'Every write and read-back against cell B succeeds for the whole load, before, during and after the fault in cell A',
    verify(history) {
      const o = lastObservation<LoadObservation>(history, 'load').data;
      const b = inCell(o.requests, cells.b);
      const during = b.filter((r) => r.atMs >= o.cutAtMs && r.atMs <= o.healedAtMs);
      const failed = b.filter((r) => !r.ok);
      return verdictOf(
        during.length > 0 && failed.length === 0,
        `cell B served all ${b.length} requests (${during.length} during the fault)`,
        failed.length > 0
          ? `${failed.length} of ${b.length} cell B requests failed`
          : 'no cell B request fell in the fault window',
        {
          expected: '100% of cell B requests succeed, with requests during the fault',
          observed: `${b.length - failed.length}/${b.length} ok; ${during.length} during the fault`,
          evidence: [
            {
              source: 'load from the zone observer (PUT then GET per host per round)',
              excerpt: describe(failed.slice(0, 12), o.cutAtMs) || 'no failure',
            },
          ],
        },
      );
    },
  },
  {
    name: 'fault-hit-cell-a',
    description: `Cell A fails closed: no cell A write begun ${hsmRefusalBound.contract} ms (the contract's HSM refusal bound; a stack may tighten it) or more after the cut, and answered before the heal, is accepted`,
    verify(history) {
      const detectionBoundMs = boundValue(history, hsmRefusalBound);
      const o = lastObservation<LoadObservation>(history, 'load').data;
      const window = inCell(o.requests, cells.a).filter(
        (r) =>
          r.op === 'put' &&
          r.startedAtMs >= o.cutAtMs + detectionBoundMs &&
          r.atMs <= o.healBeganAtMs,
      );
      const accepted = window.filter((r) => r.ok);
      return verdictOf(
        window.length > 0 && accepted.length === 0,
        `all ${window.length} cell A writes in the fault window were refused`,
        window.length === 0
          ? 'no cell A write fell in the fault window'
          : `${accepted.length} cell A writes were accepted without an HSM`,
        {
          expected: 'every cell A write refused while its HSM is cut (the fault is real)',
          observed: `${window.length - accepted.length}/${window.length} refused`,
          evidence: [
            {
              source: 'load from the zone observer',
              excerpt: describe(window.slice(0, 9), o.cutAtMs),
            },
          ],
        },
      );
    },
  },
  {
    name: 'cell-a-recovers',
    description: `Within ${recoveryBoundMs} ms of the heal every cell A host accepts writes again`,
    verify(history) {
      const o = lastObservation<LoadObservation>(history, 'load').data;
      const problems: string[] = [];
      for (const host of cells.a) {
        const ok = o.requests.find(
          (r) => r.host === host && r.op === 'put' && r.ok && r.atMs > o.healBeganAtMs,
        );
        if (ok === undefined) problems.push(`${host}: no write accepted after the heal`);
        else if (ok.atMs - o.healBeganAtMs > recoveryBoundMs)
          problems.push(
            `${host}: first write accepted ${Math.round(ok.atMs - o.healBeganAtMs)} ms after the heal began`,
          );
      }
      return verdictOf(
        problems.length === 0,
        'cell A serves again after the heal',
        problems.join('; '),
        {
          expected: `a write accepted on each cell A host within ${recoveryBoundMs} ms of the heal`,
          observed: problems.join('; ') || 'all recovered',
          evidence: [
            {
              source: 'load from the zone observer',
              excerpt: describe(
                inCell(o.requests, cells.a)
                  .filter((r) => r.atMs > o.healedAtMs)
                  .slice(0, 9),
                o.healedAtMs,
              ),
            },
          ],
        },
      );
    },
  },
];
