import { captureExcerpt, exchangeCaptureOf } from '../network-world/exchange-capture.ts';
import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import type { History } from '../../harness/scenario/history.ts';
import type { Lookup, ResolverRecord } from './dns-evidence.ts';

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
  {
    name: 'foreign-resolver-receives-nothing',
    description:
      'The foreign (global) resolver logs zero queries from the sovereign zone, and no DNS packet from the zone crosses the exchange',
    verify(history) {
      const global = resolver(history, 'global-dns');
      const capture = exchangeCaptureOf(history);
      const observed = `global-dns logged ${global.fromZone.length} query(ies) from the zone; ${capture.router} captured ${capture.packets} DNS packet(s) (${capture.filter})`;
      return verdictOf(
        global.fromZone.length === 0 && capture.packets === 0,
        'no query from the zone reached the foreign resolver',
        observed,
        {
          expected: '0 queries at global-dns and 0 DNS packets from the zone at the exchange',
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
