import { lastObservation, type Check } from '../../harness/checks/check.ts';
import type { LoadRequest } from '../../harness/checks/probes/store-load.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import type {
  DiskAfterFaultObservation,
  FaultLoadObservation,
  SameBootObservation,
} from './hsm-cable-cut-evidence.ts';

/**
 * The load's schedule: the HSM is cut 3 s in and healed 12 s later; the load goes on 15 s after.
 * Writes must be refused within 5 s of the cut (the stack checks its HSM every 0.5 s) and be
 * accepted again within 12 s of the heal.
 */
export const faultPlan = {
  loadMs: 30_000,
  cutAfterMs: 3_000,
  healAfterMs: 15_000,
  refusalBoundMs: 5_000,
  recoveryBoundMs: 12_000,
} as const;

function timeline(requests: readonly LoadRequest[], since: number): string {
  return requests
    .map((r) => `${r.host} ${r.op} +${Math.round(r.atMs - since)}ms ${r.status}`)
    .join(', ');
}

function hostsOf(requests: readonly LoadRequest[]): string[] {
  return [...new Set(requests.map((r) => r.host))];
}

export const hsmCableCutChecks: Check[] = [
  {
    name: 'writes-refused-within-bound',
    description: `Every write begun ${faultPlan.refusalBoundMs} ms or more after the cut (and answered before the heal) is refused, on every host`,
    verify(history) {
      const o = lastObservation<FaultLoadObservation>(history, 'fault-load').data;
      const problems: string[] = [];
      const lines: string[] = [];
      for (const host of hostsOf(o.requests)) {
        const puts = o.requests.filter((r) => r.host === host && r.op === 'put');
        const window = puts.filter(
          (r) => r.startedAtMs >= o.cutAtMs + faultPlan.refusalBoundMs && r.atMs <= o.healBeganAtMs,
        );
        const accepted = window.filter((r) => r.ok);
        const firstRefusal = puts.find((r) => r.atMs >= o.cutAtMs && !r.ok);
        if (window.length === 0)
          problems.push(`${host}: no write fell between the bound and the heal`);
        if (accepted.length > 0)
          problems.push(
            `${host}: ${accepted.length} of ${window.length} writes accepted without the HSM`,
          );
        lines.push(
          `${host}: first refusal ${firstRefusal === undefined ? 'never' : `${Math.round(firstRefusal.atMs - o.cutAtMs)} ms after the cut (HTTP ${firstRefusal.status})`}; ${window.length - accepted.length}/${window.length} refused in the window`,
        );
      }
      return verdictOf(
        problems.length === 0,
        'every host failed closed within the bound',
        problems.join('; '),
        {
          expected: `no write accepted from ${faultPlan.refusalBoundMs} ms after the cut until the heal`,
          observed: lines.join('; '),
          evidence: [
            {
              source: 'load from the zone observer (PUT, then GET)',
              excerpt: timeline(
                o.requests.filter(
                  (r) =>
                    r.op === 'put' &&
                    r.atMs >= o.cutAtMs - 1_000 &&
                    r.atMs <= o.healBeganAtMs + 1_000,
                ),
                o.cutAtMs,
              ),
            },
          ],
        },
      );
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
      'ERR_CRYPTO_DEVICE_NOT_FOUND appears in /var/log/hsm/secure.log of every host of the cell (second witness)',
    verify(history) {
      const seen = history
        .observations<DiskAfterFaultObservation>('disk-after-fault')
        .map((e) => e.data);
      const silent = seen.filter((o) => o.secureLogLines.length === 0).map((o) => o.host);
      return verdictOf(
        seen.length > 0 && silent.length === 0,
        'every host logged the lost HSM',
        `no ERR_CRYPTO_DEVICE_NOT_FOUND on ${silent.join(', ') || 'any host'}`,
        {
          expected: 'a line with ERR_CRYPTO_DEVICE_NOT_FOUND per host',
          observed: seen.map((o) => `${o.host}: ${o.secureLogLines.length} line(s)`).join('; '),
          evidence: seen.map((o) => ({
            source: `/var/log/hsm/secure.log of ${o.host}`,
            excerpt: o.secureLogLines.slice(-1).join('') || '(none)',
          })),
        },
      );
    },
  },
  {
    name: 'recovers-without-restart',
    description: `Within ${faultPlan.recoveryBoundMs} ms of the heal every host accepts writes again and reads back its earlier object, in the same boot and agent process`,
    verify(history) {
      const o = lastObservation<FaultLoadObservation>(history, 'fault-load').data;
      const same = history.observations<SameBootObservation>('same-boot').map((e) => e.data);
      const problems: string[] = [];
      const lines: string[] = [];
      for (const host of hostsOf(o.requests)) {
        const ok = o.requests.find(
          (r) => r.host === host && r.op === 'put' && r.ok && r.atMs > o.healBeganAtMs,
        );
        if (ok === undefined) problems.push(`${host}: no write accepted after the heal`);
        else if (ok.atMs - o.healBeganAtMs > faultPlan.recoveryBoundMs)
          problems.push(
            `${host}: first write accepted ${Math.round(ok.atMs - o.healBeganAtMs)} ms after the heal began`,
          );
        lines.push(
          `${host}: ${ok === undefined ? 'not recovered' : `recovered ${Math.round(ok.atMs - o.healBeganAtMs)} ms after the heal began`}`,
        );
      }
      for (const s of same) {
        if (s.readBackBefore.status !== 200 || !s.readBackBefore.matches)
          problems.push(
            `${s.host}: the earlier object did not read back (${s.readBackBefore.status})`,
          );
        if (s.containerBefore !== s.containerAfter || s.agentBefore !== s.agentAfter)
          problems.push(`${s.host}: the stack restarted (${s.agentBefore} -> ${s.agentAfter})`);
      }
      if (same.length === 0) problems.push('the earlier objects were not read back');
      return verdictOf(
        problems.length === 0,
        'every host recovered by itself',
        problems.join('; '),
        {
          expected: 'writes accepted again within the bound, the earlier object intact, no restart',
          observed: [
            ...lines,
            ...same.map((s) => `${s.host}: agent ${s.agentBefore} -> ${s.agentAfter}`),
          ].join('; '),
          evidence: [
            {
              source: 'load from the zone observer; docker top',
              excerpt: timeline(
                o.requests.filter((r) => r.op === 'put' && r.atMs > o.healedAtMs).slice(0, 8),
                o.healedAtMs,
              ),
            },
          ],
        },
      );
    },
  },
];
