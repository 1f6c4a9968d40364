import {
  captureExcerpt,
  exchangeCaptureOf,
  unlessBlind,
} from '../network-world/exchange-capture.ts';
import { lastObservation, type Check } from '../../harness/checks/check.ts';
import type { History } from '../../harness/scenario/history.ts';
import { withPositiveControl } from '../../harness/checks/positive-control.ts';
import { verdictOf, type Verdict } from '../../harness/checks/verdict.ts';
import {
  dnsControl,
  outageLookups,
  type Lookup,
  type LookupsEveryWay,
  type ResolverRecord,
} from './dns-evidence.ts';

/** The names the host looks up, and what the sovereign resolver answers for them. */
export const sovereignRecords: Record<string, string> = {
  'api.sovereign.example': '10.40.200.10',
  'kms.sovereign.example': '10.40.200.11',
};
/** A name only the global resolver knows: a sovereign host must get NXDOMAIN for it. */
export const globalOnlyName = 'cdn.global.example';

function resolver(history: History, name: string): ResolverRecord {
  return lastObservation<ResolverRecord>(history, 'resolver-record', (d) => d.resolver === name)
    .data;
}

function describe(lookups: Lookup[]): string {
  return lookups
    .map((l) => `${l.name}: ${l.status} ${l.answers.join(',') || '-'} from ${l.server || 'nobody'}`)
    .join('; ');
}

/**
 * Whether every lookup got no answer, every way a program asks (`lookupsEveryWay`): through
 * resolv.conf with dig and getent, and straight to the foreign resolver over UDP and TCP.
 */
export function failedClosed(
  l: LookupsEveryWay,
  words: { passed: string; failed: string; expected: string; when: string },
): Verdict {
  const direct = [
    { lookup: l.direct, flag: '' },
    { lookup: l.directTcp, flag: ' +tcp' },
  ];
  const answered = [
    ...l.lookups
      .filter((d) => d.status !== 'TIMEOUT')
      .map((d) => `dig ${d.name}: ${d.status} ${d.answers.join(',') || '-'} from ${d.server}`),
    ...l.libc.filter((g) => g.resolved).map((g) => `getent ${g.name}: ${g.addresses.join(',')}`),
    ...direct
      .filter(({ lookup }) => lookup.status !== 'TIMEOUT')
      .map(
        ({ lookup, flag }) =>
          `dig${flag} @${l.directServer} ${lookup.name}: ${lookup.status} ${lookup.answers.join(',') || '-'}`,
      ),
  ];
  const observed = `${describe(l.lookups)}; getent: ${l.libc.map((g) => `${g.name} ${g.resolved ? g.addresses.join(',') : 'not resolved'}`).join('; ')}; straight to ${l.directServer}: ${l.direct.status} over UDP, ${l.directTcp.status} over TCP`;
  return verdictOf(
    answered.length === 0 && l.lookups.length > 0 && l.libc.length > 0,
    words.passed,
    `${words.failed}: ${answered.join('; ')}`,
    {
      expected: words.expected,
      observed,
      evidence: [
        {
          source: `dig and getent in the host's namespace (machine probe), ${words.when}`,
          excerpt: observed,
        },
      ],
    },
  );
}

/**
 * The foreign resolver's own log and the exchange capture show no DNS from the zone but the
 * harness's control (dns-leakage and dns-no-sovereign-resolver).
 */
export const foreignResolverReceivesNothing: Check = {
  name: 'foreign-resolver-receives-nothing',
  description:
    "The foreign (global) resolver logs no query from the sovereign zone but the harness's own control query, and no other DNS packet from the zone crosses the exchange, also while the sovereign resolver is down; judged only once the log and the capture saw the control query",
  verify(history) {
    const global = resolver(history, 'global-dns');
    const capture = exchangeCaptureOf(history);
    const control = lastObservation(history, dnsControl).data;
    const logged = (name: string) =>
      global.fromZone.some((q) => q.client === control.source && q.name === `${name}.`);
    const udpLogged = logged(control.name);
    const tcpLogged = logged(control.tcpName);
    const controlAtExchange = capture.sources[control.source] ?? 0;
    const inLog = (seen: boolean) => (seen ? 'logged' : 'NOT in the global-dns query log');
    return withPositiveControl(
      {
        seen: udpLogged && tcpLogged && controlAtExchange > 0,
        what: `the control queries from ${control.from} (${control.source}), ${control.name} over UDP: ${inLog(udpLogged)}, ${control.tcpName} over TCP: ${inLog(tcpLogged)}; ${controlAtExchange} packet(s) at ${capture.router}`,
      },
      () => {
        const leaked = global.fromZone.filter((q) => q.client !== control.source);
        const crossed = capture.packets - controlAtExchange;
        const observed = `global-dns logged ${leaked.length} query(ies) from the zone besides the control; ${capture.router} captured ${crossed} DNS packet(s) from the zone besides the control's ${controlAtExchange} (${capture.filter})`;
        return unlessBlind(
          capture,
          verdictOf(
            leaked.length === 0 && crossed === 0,
            'no query from the zone reached the foreign resolver',
            observed,
            {
              expected: `0 queries at global-dns and 0 DNS packets from the zone at the exchange, besides the control from ${control.source}`,
              observed,
              evidence: [
                {
                  source: 'global-dns query log',
                  excerpt:
                    global.fromZone.map((q) => `${q.client} ${q.name} ${q.type}`).join('\n') ||
                    '(none)',
                },
                captureExcerpt(capture),
              ],
            },
          ),
        );
      },
    );
  },
};

export const dnsChecks: Check[] = [
  {
    name: 'names-resolve-through-sovereign-resolver',
    description:
      'Every lookup on the host is answered by the sovereign resolver, with its records, and the sovereign resolver logged each one',
    verify(history) {
      const { lookups } = lastObservation<{ lookups: Lookup[] }>(history, 'lookups').data;
      const sovereign = resolver(history, 'sovereign-dns');
      const problems: string[] = [];
      for (const lookup of lookups) {
        if (lookup.server !== sovereign.address)
          problems.push(`${lookup.name} answered by ${lookup.server || 'nobody'}`);
        const expected = sovereignRecords[lookup.name];
        if (
          expected !== undefined &&
          !(lookup.status === 'NOERROR' && lookup.answers.includes(expected))
        ) {
          problems.push(
            `${lookup.name} gave ${lookup.status} ${lookup.answers.join(',')}, not ${expected}`,
          );
        }
        if (expected === undefined && lookup.status !== 'NXDOMAIN')
          problems.push(`${lookup.name} gave ${lookup.status}, not NXDOMAIN`);
        if (!sovereign.fromZone.some((q) => q.name === `${lookup.name}.`))
          problems.push(`the sovereign resolver never received ${lookup.name}`);
      }
      return verdictOf(
        problems.length === 0 && lookups.length > 0,
        `${lookups.length} lookups answered by the sovereign resolver`,
        problems.join('; '),
        {
          expected: `answers from ${sovereign.address} (sovereign-dns) with its records; each query in its log`,
          observed: describe(lookups),
          evidence: [
            {
              source: 'dig through the namespace resolv.conf (machine probe)',
              excerpt: describe(lookups),
            },
            {
              source: 'sovereign-dns query log',
              excerpt:
                sovereign.fromZone.map((q) => `${q.client} ${q.name} ${q.type}`).join('\n') ||
                '(none)',
            },
          ],
        },
      );
    },
  },
  foreignResolverReceivesNothing,
  {
    name: 'lookups-fail-closed-while-sovereign-down',
    description:
      "While the sovereign resolver is down (confirmed from the zone), no lookup on the host gets an answer: not through resolv.conf (dig, and getent with the C library's fallbacks), not from a query sent straight to the foreign resolver over UDP or TCP",
    verify(history) {
      const outage = lastObservation(history, outageLookups).data;
      const sovereign = resolver(history, 'sovereign-dns');
      return withPositiveControl(
        {
          seen: outage.confirmDown.status === 'TIMEOUT',
          what: `the outage of ${outage.resolver}: the zone's observer got ${outage.confirmDown.status} from it`,
        },
        () =>
          failedClosed(outage, {
            passed: `with ${sovereign.address} down, every lookup on the host failed closed`,
            failed: 'the host got answers with the sovereign resolver down',
            expected: `no answer to any lookup while ${outage.resolver} (${sovereign.address}) is down`,
            when: 'during the outage',
          }),
      );
    },
  },
  {
    name: 'resolv-conf-names-sovereign-only',
    description: "Second witness: the namespace's resolv.conf names only sovereign resolvers",
    verify(history) {
      const { resolvConf } = lastObservation<{ resolvConf: string }>(history, 'lookups').data;
      const sovereign = resolver(history, 'sovereign-dns');
      const servers = resolvConf
        .split('\n')
        .filter((l) => l.startsWith('nameserver'))
        .map((l) => l.split(/\s+/)[1] ?? '');
      const foreign = servers.filter((s) => s !== sovereign.address);
      return verdictOf(
        servers.length > 0 && foreign.length === 0,
        `resolv.conf names ${servers.join(', ')}`,
        `resolv.conf names ${foreign.join(', ') || 'no server'} beside the sovereign resolver`,
        {
          expected: `nameserver ${sovereign.address} only`,
          observed: servers.join(', ') || '(none)',
          evidence: [{ source: "/etc/resolv.conf of the host's namespace", excerpt: resolvConf }],
        },
      );
    },
  },
];
