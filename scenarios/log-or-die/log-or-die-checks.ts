import { lastObservation, MissingEvidence, type Check } from '../../harness/checks/check.ts';
import { describeEvent, residencyAuditKey } from '../../harness/checks/probes/audit-evidence.ts';
import { verdictOf, type Verdict } from '../../harness/checks/verdict.ts';
import { hostPaths } from '../../harness/contract/host-paths.ts';
import { contractBound } from '../../harness/contract/contract-bounds.ts';
import type { History } from '../../harness/scenario/history.ts';
import { boundValue } from '../../harness/scenario/scenario-bounds.ts';
import type { AuditEvent } from '../../sims/audit/audit-records.ts';
import { observed, type StoreStateObservation } from './log-or-die-evidence.ts';

/** The store must stop accepting connections this soon after its audit disk fills. */
export const haltBound = contractBound({
  name: 'haltMs',
  description: 'the store stops accepting connections this soon after its audit disk fills',
  unit: 'ms',
  contract: 10_000,
  tighter: 'lower',
});

/** The contract's Log-Or-Die level: with less than this free on the audit disk, the stack halts. */
export const auditRoomBytes = 16 * 1024;

/**
 * Unknown unless the fill of the host's audit disk left less than the contract's level free: a
 * halt is owed only then. Undefined when it did (the check judges).
 */
function unprovoked(history: History, host: string): Verdict | undefined {
  const fill = lastObservation(history, observed.auditDiskFilled, (d) => d.host === host).data;
  if (fill.freeBytesAfter < fill.thresholdBytes) return undefined;
  return {
    status: 'unknown',
    summary: `the fill left ${fill.freeBytesAfter} bytes free on ${host}'s audit disk, not under the contract's ${fill.thresholdBytes}: no halt was owed`,
  };
}

/** The store's halt after a fill, on the host that took writes or on the one that took none. */
function haltVerdict(history: History, writesDuringWatch: boolean): Verdict {
  const haltBoundMs = boundValue(history, haltBound);
  const o = lastObservation(
    history,
    observed.halt,
    (d) => d.writesDuringWatch === writesDuringWatch,
  ).data;
  const notOwed = unprovoked(history, o.host);
  if (notOwed !== undefined) return notOwed;
  const inBound = o.haltedAtMs !== undefined && o.haltedAtMs - o.filledAtMs <= haltBoundMs;
  const free = lastObservation(history, observed.auditDiskFilled, (d) => d.host === o.host).data
    .freeBytesAfter;
  const how = writesDuringWatch ? 'with writes coming' : 'with no write coming';
  return verdictOf(
    inBound && o.reopened === 0,
    `${o.host}'s store halted ${String((o.haltedAtMs ?? 0) - o.filledAtMs)} ms after the fill (${free} bytes left free), ${how}`,
    o.haltedAtMs === undefined
      ? `${o.host}'s store kept accepting connections for ${haltBoundMs + 2_000} ms after the fill left ${free} bytes free, ${how}`
      : `${o.host}'s store halted late or came back (closed at +${o.haltedAtMs - o.filledAtMs} ms; ${o.reopened} accepted probes after the halt), ${how}`,
    {
      expected: `store port closed within ${haltBoundMs} ms of the fill, then closed`,
      observed:
        o.haltedAtMs === undefined
          ? 'never closed'
          : `closed after ${o.haltedAtMs - o.filledAtMs} ms; reopened ${o.reopened} time(s)`,
      evidence: [
        {
          source: `tcp probe of ${o.host}'s store port from the zone observer, every 250 ms`,
          excerpt: `halted at +${String((o.haltedAtMs ?? Number.NaN) - o.filledAtMs)} ms; ${free} bytes free on the audit disk after the fill`,
        },
      ],
    },
  );
}

/** The first few items of a list, and how many more there are: summaries stay readable. */
function someOf(items: readonly string[], shown = 3): string {
  return items.length <= shown
    ? items.join('; ')
    : `${items.slice(0, shown).join('; ')} (and ${items.length - shown} more)`;
}

function objectIdOf(path: string): string {
  return (path.split('/').pop() ?? '').replace(/\.obj(\.tmp)?$/, '');
}

/** Each host's store state, as read after the run; MissingEvidence when none was. */
function storeStates(history: History): StoreStateObservation[] {
  const states = history.observations(observed.storeState).map((e) => e.data);
  if (states.length === 0) throw new MissingEvidence(observed.storeState.name);
  return states;
}

function writesOf(events: readonly AuditEvent[], objectId: string): AuditEvent[] {
  return events.filter(
    (e) =>
      e.key === residencyAuditKey &&
      e.success === 'yes' &&
      e.paths.some(
        (p) =>
          p.name.includes(`/${objectId}.obj`) ||
          p.name.endsWith(`${objectId}.obj`) ||
          p.name.includes(`${objectId}.obj.tmp`),
      ),
  );
}

export const logOrDieChecks: Check[] = [
  {
    name: 'write-refused-after-audit-full',
    description: 'Every write attempted after the audit disk filled is refused (no 201)',
    verify(history) {
      const o = lastObservation(history, observed.postFillWrites).data;
      const notOwed = unprovoked(history, o.host);
      if (notOwed !== undefined) return notOwed;
      const accepted = o.writes.filter((w) => w.status === 201);
      return verdictOf(
        o.writes.length > 0 && accepted.length === 0,
        `all ${o.writes.length} writes after the fill were refused`,
        `${accepted.length} of ${o.writes.length} writes after the fill were accepted`,
        {
          expected: 'no 201 after the fill',
          observed: o.writes
            .map((w) => `${w.objectId}: ${w.status} (+${w.atMs - o.filledAtMs} ms)`)
            .join('; '),
          evidence: [
            {
              source: 'PUT from the zone observer',
              excerpt: o.writes.map((w) => w.detail).join('; '),
            },
          ],
        },
      );
    },
  },
  {
    name: 'services-halted',
    description: `Within the halt bound (contract: ${haltBound.contract} ms) of the fill the store stops accepting connections, and stays stopped, on the host written to after its fill`,
    verify: (history) => haltVerdict(history, true),
  },
  {
    name: 'halts-with-no-write',
    description: `On a host that takes no write after its audit disk fills, the stack's own watch stops the store within the halt bound (contract: ${haltBound.contract} ms)`,
    verify: (history) => haltVerdict(history, false),
  },
  {
    name: 'no-unaudited-write',
    description:
      'Every object on the data disks has its write in the host\u2019s audit log, and no write reached a store after its audit log stopped',
    verify(history) {
      const states = storeStates(history);
      const objects = states.flatMap((o) => o.files.filter((f) => f.path.endsWith('.obj')));
      const problems = states.flatMap((o) => {
        const unaudited = o.files
          .filter((f) => f.path.endsWith('.obj'))
          .filter((f) => writesOf(o.hostLogEvents, objectIdOf(f.path)).length === 0);
        const afterFill = o.files.filter((f) => f.modifiedMs > o.filledAtMs);
        const journalAfter = o.journalEvents.filter(
          (e) =>
            e.time * 1000 > o.filledAtMs && e.key === residencyAuditKey && e.comm === 'python3',
        );
        return [
          ...unaudited.map((f) => `${o.host}: ${f.path} has no record in the host's audit log`),
          ...afterFill.map(
            (f) =>
              `${o.host}: ${f.path} was written ${f.modifiedMs - o.filledAtMs} ms after the audit disk filled`,
          ),
          ...journalAfter.map(
            (e) => `${o.host}: the kernel saw the store write after the fill: ${describeEvent(e)}`,
          ),
        ];
      });
      return verdictOf(
        objects.length > 0 && problems.length === 0,
        `all ${objects.length} stored objects are audited; nothing written after the fills`,
        someOf(problems) || 'no object on the data disks',
        {
          expected:
            'each object audited; no write after the fill (data disk times, kernel journal)',
          observed: states
            .map(
              (o) => `${o.host}: ${o.files.filter((f) => f.path.endsWith('.obj')).length} objects`,
            )
            .join('; '),
          evidence: [
            {
              source: 'forensic listing of /data/sovereign_storage',
              excerpt: states
                .map(
                  (o) =>
                    `${o.host}: ${o.files.map((f) => `${f.path} +${f.modifiedMs - o.filledAtMs}ms`).join(', ')}`,
                )
                .join('\n'),
            },
            {
              source:
                'the audit daemon\u2019s journal (kernel records, independent of the full disk)',
              excerpt:
                problems.filter((p) => p.includes('the kernel saw')).join('\n') ||
                'no store write after the fill',
            },
          ],
        },
      );
    },
  },
  {
    name: 'writes-recorded-on-audit-disk',
    description: `Every object on a host's data disk is named in the store's audit trail on the host's audit disk (${hostPaths.storeAuditTrail}, read by the machine)`,
    verify(history) {
      const states = storeStates(history);
      const missing = states.flatMap((o) =>
        o.files
          .filter((f) => f.path.endsWith('.obj'))
          .map((f) => objectIdOf(f.path))
          .filter((id) => !o.auditDiskTrail.split('\n').some((line) => line.includes(id)))
          .map((id) => `${o.host}: ${id}`),
      );
      const objects = states.reduce(
        (n, o) => n + o.files.filter((f) => f.path.endsWith('.obj')).length,
        0,
      );
      return verdictOf(
        objects > 0 && missing.length === 0,
        `each of the ${objects} stored objects has its record in the trail on its host's audit disk`,
        objects === 0
          ? 'no object on the data disks'
          : `${missing.length} of ${objects} stored objects have no record in the trail on the audit disk: ${someOf(missing)}`,
        {
          expected: `a line naming each stored object in ${hostPaths.storeAuditTrail} on the audit disk`,
          observed: states
            .map(
              (o) =>
                `${o.host}: ${o.auditDiskTrail.split('\n').filter(Boolean).length} trail lines`,
            )
            .join('; '),
          evidence: states.map((o) => ({
            source: `${o.host}'s audit disk, read by the machine's audit daemon`,
            excerpt: o.auditDiskTrail.trim().split('\n').slice(-4).join('\n') || '(no trail)',
          })),
        },
      );
    },
  },
  {
    name: 'log-or-die-logged',
    description: 'Each halted stack logs AUDIT_LOG_UNWRITABLE (second witness)',
    verify(history) {
      const states = storeStates(history);
      const silent = states.filter((o) => o.logOrDieLines.length === 0).map((o) => o.host);
      return verdictOf(
        states.length > 0 && silent.length === 0,
        `AUDIT_LOG_UNWRITABLE logged on ${states.map((o) => o.host).join(', ')}`,
        `no AUDIT_LOG_UNWRITABLE in the residency log of ${silent.join(', ')}`,
        {
          expected: 'a line with AUDIT_LOG_UNWRITABLE on each host',
          observed: states
            .map((o) => `${o.host}: ${o.logOrDieLines.slice(-1).join('') || '(none)'}`)
            .join('; '),
          evidence: states.map((o) => ({
            source: `${o.host}: /var/lib/residency/log/residency.log on the VM disk`,
            excerpt: o.logOrDieLines.join('\n') || '(none)',
          })),
        },
      );
    },
  },
];
