import { lastObservation, type Check } from '../../harness/checks/check.ts';
import {
  describeEvent,
  eventsTouching,
  residencyAuditRule,
} from '../../harness/checks/probes/audit-evidence.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import type { AuditEvent } from '../../sims/audit/audit-records.ts';

/** The names of the processes the scenario writes and changes attributes with. */
export const intruder = { writer: 'intruder-copy', chmod: 'perm-changer' } as const;

interface HostAuditLog {
  host: string;
  events: AuditEvent[];
  storeObject: string;
  intrusionFile: string;
  objectFile: string;
}

/** chmod, fchmod, fchmodat, chown family, setxattr family, utimensat: attribute changes. */
const attributeSyscalls = new Set([
  '90',
  '91',
  '268',
  '92',
  '93',
  '94',
  '260',
  '188',
  '189',
  '190',
  '280',
  '235',
]);

function recordedBy(
  history: Parameters<Check['verify']>[0],
  fragment: string,
  comm: string,
  description: string,
  check: (e: AuditEvent) => boolean,
) {
  const o = lastObservation<HostAuditLog>(history, 'host-audit-log').data;
  const touching = eventsTouching(o.events, fragment);
  const match = touching.find((e) => e.comm === comm && check(e));
  return verdictOf(
    match !== undefined,
    `${description} recorded with comm=${comm}`,
    `no residency_audit record of ${description} by ${comm}`,
    {
      expected: `a record with key residency_audit, comm=${comm}, naming ${fragment}`,
      observed:
        touching.map(describeEvent).join(' | ') ||
        `no record names ${fragment} (${o.events.length} records in the log)`,
      evidence: [
        {
          source: `/var/log/audit/audit.log on ${o.host}'s audit disk`,
          excerpt: (match ?? touching[0])?.lines.join('\n') ?? '(none)',
        },
      ],
    },
  );
}

export const auditWatchChecks: Check[] = [
  {
    name: 'watch-in-kernel',
    description:
      'The kernel holds the manual\u2019s watch for the host: -w /data/sovereign_storage -p wa -k residency_audit',
    verify(history) {
      const o = lastObservation<{ host: string; rules: string[] }>(history, 'kernel-rules').data;
      return verdictOf(
        o.rules.includes(residencyAuditRule),
        'the watch is loaded',
        'the watch is not loaded in the kernel',
        {
          expected: residencyAuditRule,
          observed: o.rules.join('; ') || 'no rule for the host',
          evidence: [
            {
              source: 'auditctl -l (the machine\u2019s audit rules), host paths',
              excerpt: o.rules.join('\n') || '(none)',
            },
          ],
        },
      );
    },
  },
  {
    name: 'named-writer-recorded',
    description: `A file written into the store directory by a process named ${intruder.writer} is in the audit log with that process`,
    verify(history) {
      const o = lastObservation<HostAuditLog>(history, 'host-audit-log').data;
      return recordedBy(
        history,
        o.intrusionFile.split('/').pop() ?? '',
        intruder.writer,
        'the write',
        (e) => e.exe?.endsWith(intruder.writer) === true,
      );
    },
  },
  {
    name: 'attribute-change-recorded',
    description: `An attribute change of a stored object by a process named ${intruder.chmod} is in the audit log with that process`,
    verify(history) {
      const o = lastObservation<HostAuditLog>(history, 'host-audit-log').data;
      return recordedBy(
        history,
        o.objectFile.split('/').pop() ?? '',
        intruder.chmod,
        'the attribute change',
        (e) => attributeSyscalls.has(e.syscall ?? ''),
      );
    },
  },
  {
    name: 'store-writes-recorded',
    description:
      'The store\u2019s own write of an object is in the audit log, with the store\u2019s process',
    verify(history) {
      const o = lastObservation<HostAuditLog>(history, 'host-audit-log').data;
      return recordedBy(history, o.storeObject, 'python3', 'the store write', () => true);
    },
  },
];
