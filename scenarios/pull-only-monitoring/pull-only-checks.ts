import { lastObservation, MissingEvidence, type Check } from '../../harness/checks/check.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { answersNoForeignEcho } from '../network-world/foreign-echo.ts';
import type { MessagesLog } from '../network-world/network-evidence.ts';
import type { ForeignScan, MonitorPull } from './pull-only-evidence.ts';

/** The phase of the foreign region's echo requests to the host. */
export const foreignEchoPhase = 'scanned';

/** The metrics' count of foreign packets the fence refused, if the body holds one. */
function ingressCounter(body: string): number | undefined {
  try {
    const value: unknown = (JSON.parse(body) as Record<string, unknown>).foreign_ingress_packets;
    return typeof value === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}

export const pullOnlyChecks: Check[] = [
  {
    name: 'sovereign-monitor-pulls',
    description: "The sovereign monitor (the zone's observer) pulls the host's metrics",
    verify(history) {
      const pull = lastObservation<MonitorPull>(history, 'sovereign-pull').data;
      let metrics: unknown;
      try {
        metrics = JSON.parse(pull.body);
      } catch {
        metrics = undefined;
      }
      const ok =
        pull.status === 200 &&
        typeof metrics === 'object' &&
        metrics !== null &&
        'egress_dropped_packets' in metrics;
      return verdictOf(
        ok,
        `GET ${pull.url}: 200 with metrics`,
        `GET ${pull.url}: ${pull.status} ${pull.body.slice(0, 120)}`,
        {
          expected: '200 and a JSON body with the fence counters',
          observed: `${pull.status} ${pull.body.slice(0, 200)}`,
          evidence: [{ source: `curl from ${pull.from}`, excerpt: pull.body.slice(0, 400) }],
        },
      );
    },
  },
  {
    name: 'foreign-region-reaches-no-port',
    description:
      'From the foreign region, no port of the host accepts a connection: every listening port (as the kernel lists them) and the well-known ones',
    verify(history) {
      const scan = lastObservation<ForeignScan>(history, 'foreign-scan').data;
      const open = scan.attempts.filter((a) => a.connected);
      const observed = scan.attempts
        .map((a) => `${a.target} ${a.connected ? 'OPEN' : 'closed'}`)
        .join(', ');
      return verdictOf(
        open.length === 0 && scan.attempts.length > 0,
        `${scan.attempts.length} ports tried from ${scan.from}, none accepted`,
        `open to the foreign region: ${open.map((a) => a.target).join(', ')}`,
        {
          expected: 'no connection accepted from the foreign region',
          observed,
          evidence: [
            { source: `TCP connects from ${scan.from} (${scan.fromAddress})`, excerpt: observed },
          ],
        },
      );
    },
  },
  {
    name: 'fence-counters-count-foreign-packets',
    description:
      'The metrics\' foreign_ingress_packets counts what the fence refused: between a pull before the foreign scan and one after, it grows by at least the scanner\'s "Martian Source" records (and by one at the least)',
    verify(history) {
      const before = lastObservation<MonitorPull>(history, 'sovereign-pull').data;
      const after = lastObservation<MonitorPull>(history, 'sovereign-pull-after-scan').data;
      const scan = lastObservation<ForeignScan>(history, 'foreign-scan').data;
      const log = lastObservation<MessagesLog>(history, 'messages-log').data;
      const records = log.lines.filter(
        (l) => l.includes('Martian Source') && l.includes(`SRC=${scan.fromAddress} `),
      ).length;
      const counted = [before, after].map((p) => ingressCounter(p.body));
      const [from, to] = counted;
      if (from === undefined || to === undefined)
        throw new MissingEvidence(
          'sovereign-pull',
          `a pull without a numeric foreign_ingress_packets (before: ${before.status} ${before.body.slice(0, 80)}; after: ${after.status} ${after.body.slice(0, 80)})`,
        );
      const grown = to - from;
      const needed = Math.max(1, records);
      return verdictOf(
        grown >= needed,
        `foreign_ingress_packets grew by ${grown} over the foreign scan (${records} "Martian Source" record(s) of the scanner)`,
        `foreign_ingress_packets grew by ${grown} over the foreign scan, while the messages log holds ${records} "Martian Source" record(s) of the scanner ${scan.fromAddress}`,
        {
          expected: `foreign_ingress_packets grows by ${needed} or more`,
          observed: `${from} before the scan, ${to} after`,
          evidence: [
            {
              source: `curl from ${before.from} before the scan`,
              excerpt: before.body.slice(0, 300),
            },
            { source: `curl from ${after.from} after the scan`, excerpt: after.body.slice(0, 300) },
          ],
        },
      );
    },
  },
  {
    name: 'martian-source-logged',
    description:
      'Second witness: the host\'s messages log records the foreign source trying to enter as "Martian Source"',
    verify(history) {
      const scan = lastObservation<ForeignScan>(history, 'foreign-scan').data;
      const log = lastObservation<MessagesLog>(history, 'messages-log').data;
      const lines = log.lines.filter(
        (l) => l.includes('Martian Source') && l.includes(`SRC=${scan.fromAddress} `),
      );
      return verdictOf(
        lines.length > 0,
        `${lines.length} "Martian Source" record(s) for ${scan.fromAddress}`,
        `no "Martian Source" record for ${scan.fromAddress}`,
        {
          expected: `a "Martian Source" line with SRC=${scan.fromAddress}`,
          observed: `${lines.length} line(s)`,
          evidence: [
            {
              source: '/var/log/messages on the VM disk',
              excerpt: lines.slice(0, 5).join('\n') || '(none)',
            },
          ],
        },
      );
    },
  },
  {
    name: 'network-tuning',
    description:
      "The machine's kernel has net.core.somaxconn=4096, martian logging with strict reverse-path filtering, and refuses source-routed packets",
    verify(history) {
      const tuning = lastObservation<{
        somaxconn: string;
        logMartians: string;
        rpFilter: string;
        /** Absent from a history recorded before the harness read it. */
        acceptSourceRoute?: string;
        machine: string;
      }>(history, 'network-tuning').data;
      const ok =
        tuning.somaxconn === '4096' &&
        tuning.logMartians === '1' &&
        tuning.rpFilter === '1' &&
        tuning.acceptSourceRoute === '0';
      const observed = `somaxconn=${tuning.somaxconn} log_martians=${tuning.logMartians} rp_filter=${tuning.rpFilter} accept_source_route=${tuning.acceptSourceRoute ?? '(not read)'}`;
      return verdictOf(ok, observed, `not as the manual says: ${observed}`, {
        expected: 'somaxconn=4096 log_martians=1 rp_filter=1 accept_source_route=0',
        observed,
        evidence: [{ source: `/proc/sys of machine ${tuning.machine}`, excerpt: observed }],
      });
    },
  },
  answersNoForeignEcho('no-echo-to-foreign-region', foreignEchoPhase, 'IPv4'),
];
