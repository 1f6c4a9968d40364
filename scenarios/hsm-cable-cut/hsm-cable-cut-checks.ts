import { lastObservation, MissingEvidence, type Check } from '../../harness/checks/check.ts';
import { refusalsNotNaming, type LoadRequest } from '../../harness/checks/probes/store-load.ts';
import { unknown, verdictOf } from '../../harness/checks/verdict.ts';
import { hsmRefusalBound } from '../../harness/contract/key-custody-bounds.ts';
import { boundValue } from '../../harness/scenario/scenario-bounds.ts';
import {
  dataKeyLabel,
  faultLoad,
  keyInMemory,
  type CutWindow,
  type DiskAfterFaultObservation,
  type KeyInMemoryObservation,
  type SameBootObservation,
} from './hsm-cable-cut-evidence.ts';

/**
 * The load's schedule: a train of HSM cuts (harness/faults/fault-train.ts), then `tailMs` of load
 * after the last heal. The first cut is held 4 s (the memory scans run during it), the other seven
 * 2 s (the bound and a second to see late writes in); the gaps between a heal and the next cut are
 * drawn from 3.5 to 6.5 s with the run's seed (the reference stack took up to 2 s to serve again
 * after a heal beside another world; the spread of 3 s keeps the phases from lining up with a
 * watch of 3 s or less). So a watch of any period past the bound is met at a fresh phase by each
 * cut: simulated against a watch of random phase, the 3 s watch of `hsm-watch-slow` slips through
 * all eight cuts about once in 10,000 runs, a 2.5 s one once in 2,500, a 2 s one once in 150, a
 * 1.5 s one once in 18 (the hosts boot together, so their watches share a phase). Writes accepted
 * again within `recoveryBoundMs` of a heal, and before the next cut: recovery is not a contract
 * bound.
 */
export const faultPlan = {
  train: {
    holdsMs: [4_000, 2_000, 2_000, 2_000, 2_000, 2_000, 2_000, 2_000],
    gapMs: { min: 3_500, max: 6_500 },
  },
  firstCutAfterMs: 3_000,
  tailMs: 8_000,
  /** A bound on the whole load, far past its planned length: the schedule stops it itself. */
  loadLimitMs: 120_000,
  recoveryBoundMs: 12_000,
} as const;

/** What the store's refusals must say while the HSM is gone (CONTRACT.md, key custody). */
const deviceNotFound = 'ERR_CRYPTO_DEVICE_NOT_FOUND';

function timeline(requests: readonly LoadRequest[], since: number): string {
  return requests
    .map((r) => `${r.host} ${r.op} ${r.objectId} +${Math.round(r.atMs - since)}ms ${r.status}`)
    .join(', ');
}

function hostsOf(requests: readonly LoadRequest[]): string[] {
  return [...new Set(requests.map((r) => r.host))];
}

/** Requests begun at least `boundMs` after a cut was done and answered before its heal began. */
function inWindow(requests: readonly LoadRequest[], cut: CutWindow, boundMs: number) {
  return requests.filter(
    (r) => r.startedAtMs >= cut.cutAtMs + boundMs && r.atMs <= cut.healBeganAtMs,
  );
}

/**
 * A refusal check over every cut and every host: the requests `pick` chooses in the window must
 * all be refused, and there must be some (`required` picks those that must exist).
 */
function refusedInEveryCut(
  what: string,
  pick: (r: LoadRequest, standing: string | undefined) => boolean,
  required: (r: LoadRequest, standing: string | undefined) => boolean,
  accepted: (r: LoadRequest) => boolean,
): Check['verify'] {
  return (history) => {
    const boundMs = boundValue(history, hsmRefusalBound);
    const o = lastObservation(history, faultLoad).data;
    const problems: string[] = [];
    const lines: string[] = [];
    if (o.cuts.length === 0) problems.push('the HSM was never cut');
    o.cuts.forEach((cut, i) => {
      for (const host of hostsOf(o.requests)) {
        const standing = o.standing[host];
        const mine = o.requests.filter((r) => r.host === host && pick(r, standing));
        const window = inWindow(mine, cut, boundMs);
        const wrong = window.filter(accepted);
        const firstRefusal = mine.find((r) => r.atMs >= cut.cutAtMs && !accepted(r));
        if (!window.some((r) => required(r, standing)))
          problems.push(`cut ${i + 1}, ${host}: no ${what} fell between the bound and the heal`);
        if (wrong.length > 0)
          problems.push(
            `cut ${i + 1}, ${host}: ${wrong.length} of ${window.length} ${what}s served without the HSM (${timeline(wrong.slice(0, 3), cut.cutAtMs)})`,
          );
        lines.push(
          `cut ${i + 1}, ${host}: first refusal ${firstRefusal === undefined ? 'never' : `${Math.round(firstRefusal.atMs - cut.cutAtMs)} ms after the cut (HTTP ${firstRefusal.status})`}; ${window.length - wrong.length}/${window.length} refused in the window`,
        );
      }
    });
    return verdictOf(
      problems.length === 0,
      `every host refused every ${what} from ${boundMs} ms after each cut`,
      problems.join('; '),
      {
        expected: `no ${what} served from ${boundMs} ms after a cut (two HSM watch intervals) until its heal`,
        observed: lines.join('; '),
        evidence: o.cuts.map((cut, i) => ({
          source: `cut ${i + 1}: load from the zone observer (PUT, GET, GET of the object stored before)`,
          excerpt: timeline(
            o.requests.filter(
              (r) =>
                pick(r, o.standing[r.host]) &&
                r.atMs >= cut.cutAtMs - 500 &&
                r.startedAtMs <= cut.cutAtMs + boundMs + 500,
            ),
            cut.cutAtMs,
          ),
        })),
      },
    );
  };
}

export const hsmCableCutChecks: Check[] = [
  {
    name: 'writes-refused-within-bound',
    description: `Every write begun ${hsmRefusalBound.contract} ms (two HSM watch intervals; a stack may tighten it) or more after a cut, and answered before its heal, is refused, on every host, at every cut`,
    verify: refusedInEveryCut(
      'write',
      (r) => r.op === 'put',
      () => true,
      (r) => r.ok,
    ),
  },
  {
    name: 'reads-refused-within-bound',
    description: `Every read begun ${hsmRefusalBound.contract} ms or more after a cut and answered before its heal is refused (no 200), also of an object stored before the cut, on every host, at every cut`,
    verify: refusedInEveryCut(
      'read',
      (r) => r.op === 'get',
      (r, standing) => r.objectId === standing,
      (r) => r.status === 200,
    ),
  },
  {
    name: 'refusals-name-device-not-found',
    description: `Every refusal the store answers to a request begun ${hsmRefusalBound.contract} ms or more after a cut and answered before its heal names ${deviceNotFound} (the body's error), on every host, at every cut: its client learns that the HSM is gone, not another cause`,
    verify(history) {
      const boundMs = boundValue(history, hsmRefusalBound);
      const o = lastObservation(history, faultLoad).data;
      const problems: string[] = [];
      const lines: string[] = [];
      let answered = 0;
      o.cuts.forEach((cut, i) => {
        for (const host of hostsOf(o.requests)) {
          const window = inWindow(
            o.requests.filter((r) => r.host === host),
            cut,
            boundMs,
          );
          const { refusals, other } = refusalsNotNaming(window, deviceNotFound);
          answered += refusals;
          if (other.length > 0)
            problems.push(
              `cut ${i + 1}, ${host}: ${other.length} of ${refusals} refusals say ${[...new Set(other)].join(', ')}`,
            );
          lines.push(`cut ${i + 1}, ${host}: ${refusals} refusals, ${other.length} other`);
        }
      });
      if (answered === 0)
        throw new MissingEvidence(
          faultLoad.name,
          'no request between a cut’s bound and its heal got a refusal with an answer: nothing to read a reason from',
        );
      return verdictOf(
        problems.length === 0,
        `all ${answered} refusals between the bound and the heal of the cuts name ${deviceNotFound}`,
        problems.join('; '),
        {
          expected: `503 {"error": "${deviceNotFound}"} for every request from ${boundMs} ms after a cut until its heal`,
          observed: lines.join('; '),
        },
      );
    },
  },
  {
    name: 'data-key-gone-during-cut',
    description: `A scan of every process's memory, begun ${hsmRefusalBound.contract} ms or more after the first cut and done before its heal, finds the data key (as the KMS gives it) nowhere; the same scan before the cut finds it (the scan sees the key where it is)`,
    verify(history) {
      const boundMs = boundValue(history, hsmRefusalBound);
      const cut = lastObservation(history, faultLoad).data.cuts[0];
      if (cut === undefined) return unknown('the HSM was never cut');
      const scans = history.observations(keyInMemory).map((e) => e.data);
      const hosts = [...new Set(scans.map((s) => s.host))];
      if (hosts.length === 0) return unknown('no memory was scanned');
      const problems: string[] = [];
      const doubts: string[] = [];
      const lines: string[] = [];
      const has = (s: KeyInMemoryObservation | undefined) =>
        s?.foundInMemory.includes(dataKeyLabel) === true;
      for (const host of hosts) {
        const before = scans.find((s) => s.host === host && s.phase === 'before-cut');
        const during = scans.find((s) => s.host === host && s.phase === 'during-cut');
        if (!has(before))
          doubts.push(
            `${host}: the scan before the cut did not find the data key, so a clean scan proves nothing (${before?.description ?? 'no scan'})`,
          );
        if (during === undefined) doubts.push(`${host}: no scan during the cut`);
        else if (
          during.startedAtMs < cut.cutAtMs + boundMs ||
          during.finishedAtMs > cut.healBeganAtMs
        )
          doubts.push(
            `${host}: the scan ran ${Math.round(during.startedAtMs - cut.cutAtMs)}..${Math.round(during.finishedAtMs - cut.cutAtMs)} ms after the cut, not within ${boundMs}..${Math.round(cut.healBeganAtMs - cut.cutAtMs)} ms`,
          );
        else if (has(during))
          problems.push(
            `${host}: the data key is in memory ${Math.round(during.startedAtMs - cut.cutAtMs)} ms after the cut (${during.description})`,
          );
        lines.push(
          `${host}: before the cut ${has(before) ? 'found' : 'NOT found'}; during the cut ${during === undefined ? 'not scanned' : has(during) ? 'FOUND' : 'not found'}`,
        );
      }
      const details = {
        expected: 'the key found before the cut, and nowhere in memory during it',
        observed: lines.join('; '),
        evidence: scans.map((s) => ({
          source: `scan-memory of every process of ${s.host} (${s.phase}, ${s.processes} processes, ${s.bytesScanned} bytes)`,
          excerpt: s.description,
        })),
      };
      if (problems.length > 0) return verdictOf(false, '', problems.join('; '), details);
      if (doubts.length > 0) return { status: 'unknown', summary: doubts.join('; '), ...details };
      return verdictOf(true, 'the data key left memory while the HSM was gone', '', details);
    },
  },
  {
    name: 'nothing-stored-during-cut',
    description:
      'No refused write reached the data disk, and no payload of the load is on a disk in clear',
    verify(history) {
      const seen = history
        .observations<DiskAfterFaultObservation>('disk-after-fault')
        .map((e) => e.data);
      if (seen.length === 0) throw new MissingEvidence('disk-after-fault');
      const problems = seen.flatMap((o) => [
        ...o.refusedButStored.map((p) => `${o.host}: refused write stored as ${p}`),
        ...o.payloadsInClear.map((p) => `${o.host}: payload in clear in ${p}`),
      ]);
      return verdictOf(
        seen.length > 0 && problems.length === 0,
        'nothing refused was stored and nothing is in clear',
        problems.join('; ') || 'no disk was examined',
        {
          expected: 'no file for a refused write; no payload in clear',
          observed: seen
            .map(
              (o) =>
                `${o.host}: ${o.refusedButStored.length} refused but stored, ${o.payloadsInClear.length} files with a payload in clear`,
            )
            .join('; '),
          evidence: [
            {
              source: 'forensic listing and scan-bytes of the data and system disks',
              excerpt: problems.join('; ') || 'clean',
            },
          ],
        },
      );
    },
  },
  {
    name: 'device-not-found-logged',
    description:
      'ERR_CRYPTO_DEVICE_NOT_FOUND appears in /var/log/hsm/secure.log of every host of the cell, at least once per cut (second witness: each loss is logged, not only the first)',
    verify(history) {
      const seen = history
        .observations<DiskAfterFaultObservation>('disk-after-fault')
        .map((e) => e.data);
      if (seen.length === 0) throw new MissingEvidence('disk-after-fault');
      const cuts = lastObservation(history, faultLoad).data.cuts.length;
      const short = seen.filter((o) => o.secureLogLines.length < cuts);
      return verdictOf(
        cuts > 0 && short.length === 0,
        `every host logged the lost HSM at least once per cut (${cuts} cuts)`,
        cuts === 0
          ? 'the HSM was never cut'
          : `fewer ERR_CRYPTO_DEVICE_NOT_FOUND lines than cuts (${cuts}) on ${short.map((o) => `${o.host} (${o.secureLogLines.length})`).join(', ')}`,
        {
          expected: `at least ${cuts} line(s) with ERR_CRYPTO_DEVICE_NOT_FOUND per host, one per cut`,
          observed: seen.map((o) => `${o.host}: ${o.secureLogLines.length} line(s)`).join('; '),
          evidence: seen.map((o) => ({
            source: `/var/log/hsm/secure.log of ${o.host}`,
            excerpt: o.secureLogLines.slice(-cuts).join('\n') || '(none)',
          })),
        },
      );
    },
  },
  {
    name: 'recovers-without-restart',
    description: `Within ${faultPlan.recoveryBoundMs} ms of each heal (and before the next cut) every host accepts writes again, and reads back its earlier object, in the same boot and agent process`,
    verify(history) {
      const o = lastObservation(history, faultLoad).data;
      const same = history.observations<SameBootObservation>('same-boot').map((e) => e.data);
      const problems: string[] = [];
      const lines: string[] = [];
      if (o.cuts.length === 0) problems.push('the HSM was never cut');
      o.cuts.forEach((cut, i) => {
        const until = o.cuts[i + 1]?.cutBeganAtMs ?? Number.POSITIVE_INFINITY;
        for (const host of hostsOf(o.requests)) {
          const ok = o.requests.find(
            (r) =>
              r.host === host &&
              r.op === 'put' &&
              r.ok &&
              r.startedAtMs > cut.healBeganAtMs &&
              r.atMs < until,
          );
          if (ok === undefined)
            problems.push(`heal ${i + 1}, ${host}: no write accepted before the next cut`);
          else if (ok.atMs - cut.healBeganAtMs > faultPlan.recoveryBoundMs)
            problems.push(
              `heal ${i + 1}, ${host}: first write accepted ${Math.round(ok.atMs - cut.healBeganAtMs)} ms after the heal began`,
            );
          lines.push(
            `heal ${i + 1}, ${host}: ${ok === undefined ? 'not recovered' : `recovered ${Math.round(ok.atMs - cut.healBeganAtMs)} ms after the heal began`}`,
          );
        }
      });
      for (const s of same) {
        if (s.readBackBefore.status !== 200 || !s.readBackBefore.matches)
          problems.push(
            `${s.host}: the earlier object did not read back (${s.readBackBefore.status})`,
          );
        if (s.containerBefore !== s.containerAfter || s.agentBefore !== s.agentAfter)
          problems.push(`${s.host}: the stack restarted (${s.agentBefore} -> ${s.agentAfter})`);
      }
      if (same.length === 0) problems.push('the earlier objects were not read back');
      const last = o.cuts[o.cuts.length - 1];
      return verdictOf(
        problems.length === 0,
        'every host recovered by itself after every heal',
        problems.join('; '),
        {
          expected: 'writes accepted again within the bound, the earlier object intact, no restart',
          observed: [
            ...lines,
            ...same.map((s) => `${s.host}: agent ${s.agentBefore} -> ${s.agentAfter}`),
          ].join('; '),
          evidence: [
            {
              source: 'load from the zone observer after the last heal; docker top',
              excerpt:
                last === undefined
                  ? '(no cut)'
                  : timeline(
                      o.requests
                        .filter((r) => r.op === 'put' && r.atMs > last.healedAtMs)
                        .slice(0, 8),
                      last.healedAtMs,
                    ),
            },
          ],
        },
      );
    },
  },
];
