import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { describeEvent, residencyAuditKey } from '../../harness/checks/probes/audit-evidence.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { contractBound } from '../../harness/contract/contract-bounds.ts';
import { boundValue } from '../../harness/scenario/scenario-bounds.ts';
import type { AuditEvent } from '../../sims/audit/audit-records.ts';
import { observed } from './log-or-die-evidence.ts';

/** The store must stop accepting connections this soon after its audit disk fills. */
export const haltBound = contractBound({
  name: 'haltMs',
  description: 'the store stops accepting connections this soon after its audit disk fills',
  unit: 'ms',
  contract: 10_000,
  tighter: 'lower',
});

/** The first few items of a list, and how many more there are: summaries stay readable. */
function someOf(items: readonly string[], shown = 3): string {
  return items.length <= shown
    ? items.join('; ')
    : `${items.slice(0, shown).join('; ')} (and ${items.length - shown} more)`;
}

function objectIdOf(path: string): string {
  return (path.split('/').pop() ?? '').replace(/\.obj(\.tmp)?$/, '');
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
    description: `Within the halt bound (contract: ${haltBound.contract} ms) of the fill the store stops accepting connections, and stays stopped`,
    verify(history) {
      const haltBoundMs = boundValue(history, haltBound);
      const o = lastObservation(history, observed.halt).data;
      const inBound = o.haltedAtMs !== undefined && o.haltedAtMs - o.filledAtMs <= haltBoundMs;
      return verdictOf(
        inBound && o.reopened === 0,
        `the store halted ${String((o.haltedAtMs ?? 0) - o.filledAtMs)} ms after the fill`,
        o.haltedAtMs === undefined
          ? 'the store kept accepting connections'
          : `the store halted late or came back (${o.reopened} accepted probes after the halt)`,
        {
          expected: `store port closed within ${haltBoundMs} ms, then closed`,
          observed:
            o.haltedAtMs === undefined
              ? 'never closed'
              : `closed after ${o.haltedAtMs - o.filledAtMs} ms; reopened ${o.reopened} time(s)`,
          evidence: [
            {
              source: 'tcp probe of the store port from the zone observer',
              excerpt: `halted at +${String((o.haltedAtMs ?? Number.NaN) - o.filledAtMs)} ms`,
            },
          ],
        },
      );
    },
  },
  {
    name: 'no-unaudited-write',
    description:
      'Every object on the data disk has its write in the host\u2019s audit log, and no write reached the store after the audit log stopped',
    verify(history) {
      const o = lastObservation(history, observed.storeState).data;
      const objects = o.files.filter((f) => f.path.endsWith('.obj'));
      const unaudited = objects.filter(
        (f) => writesOf(o.hostLogEvents, objectIdOf(f.path)).length === 0,
      );
      const afterFill = o.files.filter((f) => f.modifiedMs > o.filledAtMs);
      const journalAfter = o.journalEvents.filter(
        (e) => e.time * 1000 > o.filledAtMs && e.key === residencyAuditKey && e.comm === 'python3',
      );
      const problems = [
        ...unaudited.map((f) => `${f.path} has no record in the host's audit log`),
        ...afterFill.map(
          (f) =>
            `${f.path} was written ${f.modifiedMs - o.filledAtMs} ms after the audit disk filled`,
        ),
        ...journalAfter.map(
          (e) => `the kernel saw the store write after the fill: ${describeEvent(e)}`,
        ),
      ];
      return verdictOf(
        objects.length > 0 && problems.length === 0,
        `all ${objects.length} stored objects are audited; nothing written after the fill`,
        someOf(problems) || 'no object on the data disk',
        {
          expected:
            'each object audited; no write after the fill (data disk times, kernel journal)',
          observed: `${objects.length} objects, ${unaudited.length} unaudited, ${afterFill.length} written after the fill, ${journalAfter.length} store writes in the kernel journal after it`,
          evidence: [
            {
              source: 'forensic listing of /data/sovereign_storage',
              excerpt: o.files.map((f) => `${f.path} +${f.modifiedMs - o.filledAtMs}ms`).join(', '),
            },
            {
              source:
                'the audit daemon\u2019s journal (kernel records, independent of the full disk)',
              excerpt:
                journalAfter.map(describeEvent).join('\n') || 'no store write after the fill',
            },
          ],
        },
      );
    },
  },
  {
    name: 'log-or-die-logged',
    description: 'The stack logs AUDIT_LOG_UNWRITABLE when it halts (second witness)',
    verify(history) {
      const o = lastObservation(history, observed.storeState).data;
      return verdictOf(
        o.logOrDieLines.length > 0,
        'AUDIT_LOG_UNWRITABLE logged',
        'no AUDIT_LOG_UNWRITABLE in the residency log',
        {
          expected: 'a line with AUDIT_LOG_UNWRITABLE',
          observed: o.logOrDieLines.slice(-1).join('') || '(none)',
          evidence: [
            {
              source: '/var/lib/residency/log/residency.log on the VM disk',
              excerpt: o.logOrDieLines.join('\n') || '(none)',
            },
          ],
        },
      );
    },
  },
];
