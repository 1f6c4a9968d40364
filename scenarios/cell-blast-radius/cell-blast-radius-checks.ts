import { lastObservation, type Check } from '../../harness/checks/check.ts';
import type { LoadRequest } from '../../harness/checks/probes/store-load.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { hsmRefusalBound } from '../../harness/contract/key-custody-bounds.ts';
import { boundValue } from '../../harness/scenario/scenario-bounds.ts';
import type { FaultWindow } from '../../harness/faults/fault-train.ts';

export const cells = { a: ['a1', 'a2', 'a3'], b: ['b1', 'b2', 'b3'] } as const;

/**
 * The schedule of the load: a train of four cuts of cell A's HSM (harness/faults/fault-train.ts),
 * the first held 4 s and the others 2 s, with gaps drawn from 3.5 to 6.5 s (hsm-cable-cut says
 * why), so that each cut meets a slow HSM watch at a fresh phase; then `tailMs` of load after the
 * last heal. The bound's gate is hsm-cable-cut's longer train: four cuts let a 3 s watch through
 * about once in 60 runs, too often for a declared mutant, often enough to be seen.
 */
export const loadPlan = {
  train: { holdsMs: [4_000, 2_000, 2_000, 2_000], gapMs: { min: 3_500, max: 6_500 } },
  firstCutAfterMs: 4_000,
  tailMs: 8_000,
  /** A bound on the whole load, far past its planned length: the schedule stops it itself. */
  loadLimitMs: 120_000,
} as const;
/** Recovery has no contract bound; the HSM scenarios hold it to this much after the heal. */
const recoveryBoundMs = 12_000;

interface LoadObservation {
  loadStartedAtMs: number;
  cuts: FaultWindow[];
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
      const during = b.filter((r) =>
        o.cuts.some((cut) => r.atMs >= cut.cutAtMs && r.atMs <= cut.healedAtMs),
      );
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
              excerpt: describe(failed.slice(0, 12), o.loadStartedAtMs) || 'no failure',
            },
          ],
        },
      );
    },
  },
  {
    name: 'fault-hit-cell-a',
    description: `Cell A fails closed at every cut: no cell A write begun ${hsmRefusalBound.contract} ms (the contract's HSM refusal bound; a stack may tighten it) or more after a cut, and answered before its heal, is accepted`,
    verify(history) {
      const detectionBoundMs = boundValue(history, hsmRefusalBound);
      const o = lastObservation<LoadObservation>(history, 'load').data;
      const window = inCell(o.requests, cells.a).filter(
        (r) =>
          r.op === 'put' &&
          o.cuts.some(
            (cut) => r.startedAtMs >= cut.cutAtMs + detectionBoundMs && r.atMs <= cut.healBeganAtMs,
          ),
      );
      const untouched = o.cuts.filter(
        (cut) => !window.some((r) => r.startedAtMs >= cut.cutAtMs && r.atMs <= cut.healBeganAtMs),
      ).length;
      const accepted = window.filter((r) => r.ok);
      return verdictOf(
        o.cuts.length > 0 && untouched === 0 && accepted.length === 0,
        `all ${window.length} cell A writes in the windows of ${o.cuts.length} cuts were refused`,
        o.cuts.length === 0
          ? 'the HSM was never cut'
          : accepted.length > 0
            ? `${accepted.length} cell A writes were accepted without an HSM`
            : `${untouched} of ${o.cuts.length} cuts had no cell A write in their window`,
        {
          expected: 'every cell A write refused while its HSM is cut (the fault is real)',
          observed: `${window.length - accepted.length}/${window.length} refused`,
          evidence: [
            {
              source: 'load from the zone observer',
              excerpt: describe(
                accepted.length > 0 ? accepted.slice(0, 9) : window.slice(0, 9),
                o.loadStartedAtMs,
              ),
            },
          ],
        },
      );
    },
  },
  {
    name: 'cell-a-recovers',
    description: `After every heal, and within ${recoveryBoundMs} ms of it and before the next cut, every cell A host accepts writes again`,
    verify(history) {
      const o = lastObservation<LoadObservation>(history, 'load').data;
      const problems: string[] = [];
      const lines: string[] = [];
      if (o.cuts.length === 0) problems.push('the HSM was never cut');
      o.cuts.forEach((cut, i) => {
        const until = o.cuts[i + 1]?.cutBeganAtMs ?? Number.POSITIVE_INFINITY;
        for (const host of cells.a) {
          const ok = o.requests.find(
            (r) =>
              r.host === host &&
              r.op === 'put' &&
              r.ok &&
              r.atMs > cut.healBeganAtMs &&
              r.atMs < until,
          );
          const after = ok === undefined ? undefined : Math.round(ok.atMs - cut.healBeganAtMs);
          if (after === undefined)
            problems.push(
              `heal ${i + 1}, ${host}: no write accepted before the next cut or the end`,
            );
          else if (after > recoveryBoundMs)
            problems.push(
              `heal ${i + 1}, ${host}: first write accepted ${after} ms after the heal began`,
            );
          lines.push(
            `heal ${i + 1}, ${host}: ${after === undefined ? 'not recovered' : `recovered ${after} ms after the heal began`}`,
          );
        }
      });
      return verdictOf(
        problems.length === 0,
        `cell A serves again after each of ${o.cuts.length} heals`,
        problems.join('; '),
        {
          expected: `a write accepted on each cell A host within ${recoveryBoundMs} ms of each heal, before the next cut`,
          observed: problems.join('; ') || 'all recovered after every heal',
          evidence: [{ source: 'load from the zone observer', excerpt: lines.join('\n') }],
        },
      );
    },
  },
];
