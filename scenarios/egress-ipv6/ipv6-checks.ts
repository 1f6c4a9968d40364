import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { withPositiveControl } from '../../harness/checks/positive-control.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import type { History } from '../../harness/scenario/history.ts';
import { missedControls } from '../egress-default-deny/egress-checks.ts';
import { controlTraffic } from '../network-world/control-traffic.ts';
import { dropsLogged } from '../network-world/fence-records.ts';
import { answersNoForeignEcho, foreignEchoRecorded } from '../network-world/foreign-echo.ts';
import {
  captureExcerpt,
  exchangeCaptureOf,
  unlessBlind,
} from '../network-world/exchange-capture.ts';
import {
  datagramAttempts,
  type ConnectAttempts,
  type EndpointRecord,
} from '../network-world/network-evidence.ts';
import { phase } from './ipv6-probes.ts';

/** What the host's probe tried over IPv6, TCP and datagrams together, for one role. */
function tried(history: History, role: string): { what: string; ok: boolean; detail: string }[] {
  const connects = lastObservation<ConnectAttempts>(
    history,
    'connect-attempts',
    (d) => d.phase === phase,
  ).data.attempts;
  const datagrams = lastObservation(history, datagramAttempts, (d) => d.phase === phase).data
    .attempts;
  return [
    ...connects
      .filter((a) => a.role === role)
      .map((a) => ({ what: `tcp ${a.target}`, ok: a.connected, detail: a.detail })),
    ...datagrams
      .filter((a) => a.role === role)
      .map((a) => ({ what: `${a.proto} ${a.target}`, ok: a.answered, detail: a.detail })),
  ];
}

const list = (items: readonly { what: string; detail: string }[]) =>
  items.map((i) => `${i.what}: ${i.detail}`).join('; ');

export const ipv6Checks: Check[] = [
  {
    name: 'domestic-ipv6-reachable',
    description:
      "From the host, the domestic listener's IPv6 address answers over TCP, UDP and ICMPv6: a fence that drops IPv6 wholesale, or the link's neighbour discovery, cuts the zone off",
    verify(history) {
      const domestic = tried(history, 'domestic');
      const failed = domestic.filter((a) => !a.ok);
      return verdictOf(
        domestic.length > 0 && failed.length === 0,
        `${domestic.length} domestic IPv6 targets answered`,
        `${failed.length} domestic IPv6 target(s) did not answer: ${list(failed)}`,
        {
          expected: 'tcp, udp and icmp to the domestic listener over IPv6 all answered',
          observed: list(domestic),
          evidence: [
            { source: "probes from the host's network namespace", excerpt: list(domestic) },
          ],
        },
      );
    },
  },
  {
    name: 'foreign-ipv6-receives-nothing',
    description:
      "The foreign listener records nothing from the sovereign zone's IPv6 range but the harness's own control packets, over TCP, UDP or ICMPv6, and nothing else from the range crosses the exchange; judged only once the listener and the capture saw the control",
    verify(history) {
      const record = lastObservation<EndpointRecord>(
        history,
        'endpoint-record',
        (d) => d.phase === phase && d.endpoint === 'foreign-api',
      ).data;
      const control = lastObservation(history, controlTraffic, (d) => d.phase === phase).data;
      const capture = exchangeCaptureOf(history);
      const controlAtExchange = capture.sources[control.source] ?? 0;
      const unanswered = tried(history, 'domestic').filter((a) => !a.ok);
      const controlProblems = [
        ...missedControls([record], control).map((m) => `${m} not recorded by its listener`),
        ...(controlAtExchange === 0 ? [`none in the capture at ${capture.router}`] : []),
        ...unanswered.map((a) => `the host's probe got no domestic answer: ${a.what}`),
      ];
      return withPositiveControl(
        {
          seen: controlProblems.length === 0 && control.packets.length > 0,
          what: `the harness's IPv6 control packets from ${control.from} (${control.source}) and the host's domestic IPv6 answers: ${controlProblems.join('; ') || 'none sent'}`,
        },
        () => {
          const leaks = record.fromWatched.filter((c) => c.peer !== control.source);
          const crossed = capture.packets - controlAtExchange;
          const byProto = (proto: string) => leaks.filter((l) => l.proto === proto).length;
          const observed = `foreign-api: ${leaks.length} record(s) from the zone's IPv6 range (tcp ${byProto('tcp')}, udp ${byProto('udp')}, icmp ${byProto('icmp')}); exchange ${capture.router} (${capture.filter}): ${crossed} packet(s) besides the harness's ${controlAtExchange}`;
          return unlessBlind(
            capture,
            verdictOf(
              leaks.length === 0 && crossed === 0,
              `nothing from the zone's IPv6 range reached the foreign region (the ${control.packets.length} control packets were seen)`,
              `IPv6 traffic left the jurisdiction: ${observed}`,
              {
                expected: `0 records from the zone's IPv6 range at the foreign listener and 0 packets at the exchange, besides the harness's control from ${control.source}`,
                observed,
                evidence: [
                  {
                    source: "foreign-api's own record (tcp, udp, icmp)",
                    excerpt: JSON.stringify(leaks.slice(0, 5)),
                  },
                  captureExcerpt(capture),
                ],
              },
            ),
          );
        },
      );
    },
  },
  answersNoForeignEcho('no-ipv6-echo-abroad', phase, 'IPv6'),
  dropsLogged({ name: 'ipv6-drops-logged-geographic-fence-error', phase, family: 'IPv6' }),
  foreignEchoRecorded('ipv6-foreign-source-recorded', phase, 'IPv6'),
];
