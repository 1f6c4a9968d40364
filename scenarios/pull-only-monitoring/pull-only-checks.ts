import { lastObservation, MissingEvidence, type Check } from '../../harness/checks/check.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { answersNoForeignEcho } from '../network-world/foreign-echo.ts';
import {
  datagramAttempts,
  type DatagramAttempts,
  type MessagesLog,
} from '../network-world/network-evidence.ts';
import type { ForeignScan, MonitorPull } from './pull-only-evidence.ts';

/** The phase of the foreign region's echo requests to the host. */
export const foreignEchoPhase = 'scanned';

/** A fence counter of the metrics, if the body holds it as a number. */
function metricsCounter(body: string, key: string): number | undefined {
  try {
    const value: unknown = (JSON.parse(body) as Record<string, unknown>)[key];
    return typeof value === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The phase of the host's datagrams to the foreign region, between the first two pulls. */
export const egressWindowPhase = 'egress-window';
/** The pull after the host's datagrams, before the foreign scan. */
export const egressPullName = 'sovereign-pull-after-egress';

/**
 * A counter may exceed its records this much (records ulogd dropped under load, packets the
 * harness did not send): a count of bytes, 40 or more per packet, is far past it.
 */
const recordsSlack = (records: number) => 10 * records + 10;

/**
 * A fence counter of the metrics counts the packets the fence refused (CONTRACT.md, monitoring):
 * between the pull before the window and the pull after the messages log was read, it grows by at
 * least the records the window left (one at the least), and by no more than `recordsSlack` of
 * them: a counter on a chain with no record rule stays at 0, one that reads the bytes column
 * grows by tens per packet.
 */
function fenceCounterCounts(options: {
  name: string;
  key: string;
  what: string;
  /** The pulls that open and close the window. */
  window: readonly [string, string];
  /** The lines of the messages log that record the window's packets, and what they are. */
  records: (
    history: Parameters<Check['verify']>[0],
    log: MessagesLog,
  ) => { count: number; of: string };
}): Check {
  return {
    name: options.name,
    description: `The metrics' ${options.key} counts ${options.what}: between a pull before its window and one after, it grows by at least the records of them in the messages log (and by one at the least), and by no more than ten times as many`,
    verify(history) {
      const [opens, closes] = options.window;
      const before = lastObservation<MonitorPull>(history, opens).data;
      const after = lastObservation<MonitorPull>(history, closes).data;
      const log = lastObservation<MessagesLog>(history, 'messages-log').data;
      const records = options.records(history, log);
      const [from, to] = [before, after].map((p) => metricsCounter(p.body, options.key));
      if (from === undefined || to === undefined)
        throw new MissingEvidence(
          'sovereign-pull',
          `a pull without a numeric ${options.key} (before: ${before.status} ${before.body.slice(0, 80)}; after: ${after.status} ${after.body.slice(0, 80)})`,
        );
      const grown = to - from;
      const needed = Math.max(1, records.count);
      const most = recordsSlack(records.count);
      return verdictOf(
        grown >= needed && grown <= most,
        `${options.key} grew by ${grown} (${records.count} record(s) of ${records.of})`,
        `${options.key} grew by ${grown}, while the messages log holds ${records.count} record(s) of ${records.of}`,
        {
          expected: `${options.key} grows by ${needed} to ${most}`,
          observed: `${from} before, ${to} after`,
          evidence: [
            { source: `curl from ${before.from} before`, excerpt: before.body.slice(0, 300) },
            { source: `curl from ${after.from} after`, excerpt: after.body.slice(0, 300) },
          ],
        },
      );
    },
  };
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
  fenceCounterCounts({
    name: 'fence-counters-count-foreign-packets',
    key: 'foreign_ingress_packets',
    what: 'the foreign packets the fence refused in (the foreign scan and echo)',
    window: [egressPullName, 'sovereign-pull-after-scan'],
    records(history, log) {
      const scan = lastObservation<ForeignScan>(history, 'foreign-scan').data;
      return {
        count: log.lines.filter(
          (l) => l.includes('Martian Source') && l.includes(`SRC=${scan.fromAddress} `),
        ).length,
        of: `"Martian Source" from the scanner ${scan.fromAddress}`,
      };
    },
  }),
  fenceCounterCounts({
    name: 'fence-counters-count-egress-drops',
    key: 'egress_dropped_packets',
    what: "the host's packets the fence refused out (datagrams the harness sends from the host to the foreign region)",
    // Its own window, before the scan: a counter of foreign packets in would grow by the scan.
    window: ['sovereign-pull', egressPullName],
    records(history, log) {
      const sent = lastObservation<DatagramAttempts>(
        history,
        datagramAttempts,
        (d) => d.phase === egressWindowPhase,
      ).data;
      // UDP targets read `address:port`: the address is what the record's DST names.
      const to = [
        ...new Set(sent.attempts.map((a) => a.target.slice(0, a.target.lastIndexOf(':')))),
      ];
      return {
        count: log.lines.filter(
          (l) =>
            l.includes('GEOGRAPHIC_FENCE_ERROR') &&
            to.some((address) => l.includes(`DST=${address} `)),
        ).length,
        of: `GEOGRAPHIC_FENCE_ERROR to ${to.join(', ')}`,
      };
    },
  }),
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
