import { captureExcerpt, exchangeCaptureOf } from '../network-world/exchange-capture.ts';
import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import type { History } from '../../harness/scenario/history.ts';
import type {
  ConnectAttempts,
  EndpointRecord,
  MessagesLog,
} from '../network-world/network-evidence.ts';

export const phase = 'fenced';
export const foreignEndpoints = ['foreign-api', 'foreign-kms'] as const;

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
      'Every foreign endpoint records zero connections from the sovereign zone, and no packet from it crosses into the foreign region at the exchange',
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
      const received = records.reduce((sum, r) => sum + r.fromWatched.length, 0);
      const observed = `${records.map((r) => `${r.endpoint}: ${r.fromWatched.length} connection(s) from the zone`).join('; ')}; exchange ${capture.router} (${capture.device}, ${capture.filter}): ${capture.packets} packet(s)`;
      return verdictOf(
        received === 0 && capture.packets === 0,
        'nothing from the sovereign zone reached the foreign region',
        `traffic left the jurisdiction: ${observed}`,
        {
          expected:
            '0 connections at every foreign endpoint and 0 packets from the zone in the exchange capture',
          observed,
          evidence: [
            ...records.map((r) => ({
              source: `${r.endpoint}'s connection record`,
              excerpt: JSON.stringify(r.fromWatched.slice(0, 5)),
            })),
            captureExcerpt(capture),
          ],
        },
      );
    },
  },
  {
    name: 'sovereign-api-only-on-443',
    description:
      'The named sovereign API is allowed on 443 only: another port of it is not reached',
    verify(history) {
      const other = attempts(history).attempts.filter((a) => a.role === 'sovereign-api-other-port');
      const record = lastObservation<EndpointRecord>(
        history,
        'endpoint-record',
        (d) => d.phase === phase && d.endpoint === 'sovereign-api',
      ).data;
      const otherPorts = record.fromWatched.filter((c) => c.port !== 443);
      const ok = other.length > 0 && other.every((a) => !a.connected) && otherPorts.length === 0;
      return verdictOf(
        ok,
        'the sovereign API took connections on 443 only',
        `the sovereign API was reached beyond 443: ${describe(other)}; recorded ${JSON.stringify(otherPorts)}`,
        {
          expected: 'no connection to the sovereign API on a port other than 443',
          observed: `${describe(other)}; the API recorded ${otherPorts.length} connection(s) on other ports`,
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
  {
    name: 'drops-logged-geographic-fence-error',
    description:
      "Second witness: the host's messages log records a GEOGRAPHIC_FENCE_ERROR for each foreign endpoint it tried",
    verify(history) {
      const log = lastObservation<MessagesLog>(
        history,
        'messages-log',
        (d) => d.phase === phase,
      ).data;
      const foreign = attempts(history).attempts.filter((a) => a.role === 'foreign');
      const fenceLines = log.lines.filter((l) => l.includes('GEOGRAPHIC_FENCE_ERROR'));
      const unlogged = foreign.filter((a) => {
        const [address, port] = a.target.split(':');
        return !fenceLines.some(
          (l) => l.includes(`DST=${address ?? ''} `) && l.includes(`DPT=${port ?? ''} `),
        );
      });
      return verdictOf(
        unlogged.length === 0 && foreign.length > 0,
        `${fenceLines.length} GEOGRAPHIC_FENCE_ERROR record(s), every foreign target among them`,
        `no GEOGRAPHIC_FENCE_ERROR record for ${unlogged.map((a) => a.target).join(', ')}`,
        {
          expected: 'a GEOGRAPHIC_FENCE_ERROR line naming DST and DPT of each foreign target',
          observed: `${fenceLines.length} fence line(s) in /var/log/messages`,
          evidence: [
            {
              source: '/var/log/messages on the VM disk',
              excerpt: fenceLines.slice(0, 6).join('\n') || '(none)',
            },
          ],
        },
      );
    },
  },
];
