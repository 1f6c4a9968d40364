import {
  captureExcerpt,
  exchangeCaptureOf,
  unlessBlind,
} from '../network-world/exchange-capture.ts';
import { lastObservation, MissingEvidence, type Check } from '../../harness/checks/check.ts';
import { withPositiveControl } from '../../harness/checks/positive-control.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { controlTraffic, type ControlTraffic } from '../network-world/control-traffic.ts';
import { dropsLogged } from '../network-world/fence-records.ts';
import type { History } from '../../harness/scenario/history.ts';
import {
  datagramAttempts,
  protocolSweep,
  type ConnectAttempts,
  type EndpointRecord,
  type MessagesLog,
} from '../network-world/network-evidence.ts';

export const phase = 'fenced';
export const foreignEndpoints = ['foreign-api', 'foreign-kms'] as const;

/** An echo request's ICMP type: 8 in ICMP, 128 in ICMPv6. */
const echoRequestTypes = [8, 128];

/**
 * The control packets a foreign listener did not record from the control's source: each control
 * packet must show at its own listener with its protocol and port (an echo request for ICMP).
 */
export function missedControls(
  records: readonly EndpointRecord[],
  control: ControlTraffic,
): string[] {
  return control.packets
    .filter((p) => records.some((r) => r.endpoint === p.endpoint))
    .filter((p) => {
      const record = records.find((r) => r.endpoint === p.endpoint);
      return !(record?.fromWatched ?? []).some(
        (c) =>
          c.peer === control.source &&
          c.proto === p.proto &&
          (p.proto === 'icmp' ? echoRequestTypes.includes(c.icmpType ?? -1) : c.port === p.port),
      );
    })
    .map((p) => `${p.proto} ${p.endpoint}${p.proto === 'icmp' ? '' : `:${p.port}`}`);
}

/** What the host's sweep sent, as evidence beside the capture that judged it. */
function sweepEvidence(history: History): { source: string; excerpt: string }[] {
  return history
    .observations(protocolSweep)
    .map((e) => e.data)
    .filter((d) => d.phase === phase)
    .map((d) => ({
      source: `the host's sweep toward ${d.address}: ${d.plan}`,
      excerpt: `its kernel took tcp ${d.taken.tcp}, udp ${d.taken.udp}, ip ${d.taken.ip}; refused ${JSON.stringify(d.refused)} (${d.elapsedMs} ms)`,
    }));
}

function attempts(history: History): ConnectAttempts {
  return lastObservation<ConnectAttempts>(history, 'connect-attempts', (d) => d.phase === phase)
    .data;
}

function describe(list: ConnectAttempts['attempts']): string {
  return list
    .map((a) => `${a.role} ${a.target}: ${a.connected ? 'connected' : `no (${a.detail})`}`)
    .join('; ');
}

export const egressChecks: Check[] = [
  {
    name: 'domestic-and-sovereign-api-reachable',
    description:
      'From the host, domestic targets and the named sovereign API on 443 accept connections',
    verify(history) {
      const wanted = attempts(history).attempts.filter(
        (a) => a.role === 'domestic' || a.role === 'sovereign-api',
      );
      const failed = wanted.filter((a) => !a.connected);
      return verdictOf(
        failed.length === 0 && wanted.length > 0,
        `${wanted.length} allowed targets connected`,
        `${failed.length} allowed target(s) unreachable: ${describe(failed)}`,
        {
          expected: 'every domestic target and the sovereign API on 443 connected',
          observed: describe(wanted),
          evidence: [
            {
              source: "TCP connects from the host's network namespace (machine probe)",
              excerpt: describe(wanted),
            },
          ],
        },
      );
    },
  },
  {
    name: 'foreign-endpoints-receive-nothing',
    description:
      "Every foreign listener (TCP, UDP, ICMP) records nothing from the sovereign zone but the harness's own control packets, and nothing else from the zone crosses into the foreign region at the exchange, the host's sweep of every well-known port and of the tunnel and IPsec protocols included; judged only once the listeners and the capture saw the control packets the harness sent on purpose",
    verify(history) {
      const records = foreignEndpoints.map(
        (name) =>
          lastObservation<EndpointRecord>(
            history,
            'endpoint-record',
            (d) => d.phase === phase && d.endpoint === name,
          ).data,
      );
      const capture = exchangeCaptureOf(history);
      const control = lastObservation(history, controlTraffic, (d) => d.phase === phase).data;
      const sender = lastObservation(history, datagramAttempts, (d) => d.phase === phase).data;
      const missed = missedControls(records, control);
      const controlAtExchange = capture.sources[control.source] ?? 0;
      const senderProblems = sender.attempts
        .filter((a) => a.role === 'domestic' && !a.answered)
        .map((a) => `${a.proto} ${a.target} (${a.detail})`);
      const controlProblems = [
        ...missed.map((m) => `${m} not recorded by its listener`),
        ...(controlAtExchange === 0 ? [`none in the capture at ${capture.router}`] : []),
        ...senderProblems.map((p) => `the host's probe got no domestic answer: ${p}`),
      ];
      return withPositiveControl(
        {
          seen: controlProblems.length === 0 && control.packets.length > 0,
          what: `the harness's control packets from ${control.from} (${control.source}) and the host probe's domestic datagrams: ${controlProblems.join('; ') || 'none sent'}`,
        },
        () => {
          const leaks = records.flatMap((r) =>
            r.fromWatched
              .filter((c) => c.peer !== control.source)
              .map((c) => ({ endpoint: r.endpoint, ...c })),
          );
          const crossed = capture.packets - controlAtExchange;
          const byProto = (proto: string) => leaks.filter((l) => l.proto === proto).length;
          const observed = `${records.map((r) => `${r.endpoint}: ${r.fromWatched.filter((c) => c.peer !== control.source).length} record(s) from the zone`).join('; ')} (tcp ${byProto('tcp')}, udp ${byProto('udp')}, icmp ${byProto('icmp')}); exchange ${capture.router} (${capture.device}, ${capture.filter}): ${crossed} packet(s) besides the harness's ${controlAtExchange}`;
          return unlessBlind(
            capture,
            verdictOf(
              leaks.length === 0 && crossed === 0,
              `nothing from the sovereign zone reached the foreign region over TCP, UDP or ICMP (the ${control.packets.length} control packets were seen)`,
              `traffic left the jurisdiction: ${observed}`,
              {
                expected: `0 records from the zone at every foreign listener and 0 packets from the zone at the exchange, besides the harness's control from ${control.source}`,
                observed,
                evidence: [
                  ...records.map((r) => ({
                    source: `${r.endpoint}'s own record (tcp, udp, icmp)`,
                    excerpt: JSON.stringify(
                      r.fromWatched.filter((c) => c.peer !== control.source).slice(0, 5),
                    ),
                  })),
                  captureExcerpt(capture),
                  ...sweepEvidence(history),
                  {
                    source: `control packets sent by ${control.from}`,
                    excerpt: control.packets
                      .map((p) => `${p.proto} ${p.endpoint} ${p.address}:${p.port} ${p.detail}`)
                      .join('\n'),
                  },
                ],
              },
            ),
          );
        },
      );
    },
  },
  {
    name: 'sovereign-api-only-on-443',
    description:
      'The named sovereign API is allowed on TCP 443 only: another port of it is not reached, and neither is its UDP 443 (HTTP/3); judged once the API recorded the datagrams the harness sent it on purpose',
    verify(history) {
      const other = attempts(history).attempts.filter((a) => a.role === 'sovereign-api-other-port');
      const record = lastObservation<EndpointRecord>(
        history,
        'endpoint-record',
        (d) => d.phase === phase && d.endpoint === 'sovereign-api',
      ).data;
      const control = lastObservation(history, controlTraffic, (d) => d.phase === phase).data;
      const apiControls = control.packets.filter((p) => p.endpoint === 'sovereign-api');
      const missed = missedControls([record], control);
      const beyond = record.fromWatched.filter(
        (c) => c.peer !== control.source && !(c.proto === 'tcp' && c.port === 443),
      );
      return withPositiveControl(
        {
          seen: apiControls.length > 0 && missed.length === 0,
          what: `the harness's datagrams to the sovereign API from ${control.source}: ${missed.length > 0 ? `${missed.join(', ')} not recorded` : 'none sent'}`,
        },
        () => {
          const ok = other.length > 0 && other.every((a) => !a.connected) && beyond.length === 0;
          const observed = `${describe(other)}; the API recorded ${beyond.length} packet(s) from the zone beyond TCP 443 (${beyond
            .slice(0, 3)
            .map((c) => `${c.proto} ${c.port} from ${c.peer}`)
            .join(', ')})`;
          return verdictOf(
            ok,
            'the sovereign API took connections on TCP 443 only',
            `the sovereign API was reached beyond TCP 443: ${observed}`,
            {
              expected: 'nothing from the zone at the sovereign API but TCP 443',
              observed,
            },
          );
        },
      );
    },
  },
  {
    name: 'sovereign-api-replies-not-martian',
    description:
      'The named sovereign API\'s replies are admitted as replies: the messages log records no "Martian Source" from its address, while the host\'s session to it on 443 went through',
    verify(history) {
      const session = attempts(history).attempts.find((a) => a.role === 'sovereign-api');
      if (session?.connected !== true)
        throw new MissingEvidence(
          'connect-attempts',
          `the host's session to the sovereign API on 443 did not go through (${session?.detail ?? 'not tried'}): no reply of it to judge`,
        );
      const address = session.target.slice(0, session.target.lastIndexOf(':'));
      const log = lastObservation<MessagesLog>(
        history,
        'messages-log',
        (d) => d.phase === phase,
      ).data;
      const martians = log.lines.filter(
        (l) => l.includes('Martian Source') && l.includes(`SRC=${address} `),
      );
      return verdictOf(
        martians.length === 0,
        `no "Martian Source" record of the sovereign API ${address} after the host's session to it`,
        `${martians.length} "Martian Source" record(s) of the sovereign API ${address}: its replies to the host's own session are recorded as a foreign source trying to get in`,
        {
          expected: `no "Martian Source" line with SRC=${address}`,
          observed: `${martians.length} line(s)`,
          evidence: [
            {
              source: 'the messages log on the VM disk',
              excerpt: martians.slice(0, 3).join('\n') || '(none)',
            },
          ],
        },
      );
    },
  },
  {
    name: 'output-policy-drop',
    description: "The kernel's ruleset of the host's network namespace has OUTPUT policy DROP",
    verify(history) {
      const ruleset = lastObservation<{ outputPolicy: string; ruleCount: number; text: string }>(
        history,
        'kernel-ruleset',
      ).data;
      return verdictOf(
        ruleset.outputPolicy === 'DROP',
        'OUTPUT policy is DROP',
        `OUTPUT policy is ${ruleset.outputPolicy}`,
        {
          expected: ':OUTPUT DROP',
          observed: `:OUTPUT ${ruleset.outputPolicy} (${ruleset.ruleCount} rules)`,
          evidence: [
            {
              source: "iptables-save in the host's network namespace",
              excerpt: ruleset.text
                .split('\n')
                .filter((l) => /^(:|\*|-A OUTPUT)/.test(l))
                .join('\n'),
            },
          ],
        },
      );
    },
  },
  dropsLogged({ name: 'drops-logged-geographic-fence-error', phase, family: 'IPv4' }),
];
