import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { withPositiveControl } from '../../harness/checks/positive-control.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import { addressInAnyCidr } from '../../harness/util/address-in-cidrs.ts';
import { failedClosed, foreignResolverReceivesNothing } from '../dns-leakage/dns-checks.ts';
import { dnsControl, type LookupsEveryWay } from '../dns-leakage/dns-evidence.ts';

/** The host's lookups, every way, with no sovereign resolver offered, and its resolv.conf. */
export interface UnofferedLookups extends LookupsEveryWay {
  host: string;
  resolvConf: string;
  /** The zone's domestic ranges: a nameserver outside them (and outside loopback) is foreign. */
  domesticCidrs: string[];
}

export const unofferedLookups = observationKey<UnofferedLookups>('unoffered-lookups');

/** The nameserver lines of a resolv.conf. */
function nameservers(resolvConf: string): string[] {
  return resolvConf
    .split('\n')
    .filter((l) => l.startsWith('nameserver'))
    .map((l) => l.split(/\s+/)[1] ?? '');
}

export const noSovereignChecks: Check[] = [
  foreignResolverReceivesNothing,
  {
    name: 'lookups-fail-closed-without-sovereign-resolver',
    description:
      "With no sovereign resolver offered at all, no lookup on the host gets an answer: not through resolv.conf (dig, and getent with the C library's fallbacks), not from a query sent straight to the offered foreign resolver over UDP or TCP; judged only once the foreign resolver answered the harness's control from the zone",
    verify(history) {
      const control = lastObservation(history, dnsControl).data;
      const l = lastObservation(history, unofferedLookups).data;
      return withPositiveControl(
        {
          seen: control.lookup.status !== 'TIMEOUT',
          what: `the foreign resolver answering the zone: ${control.from} got ${control.lookup.status} for ${control.name}`,
        },
        () =>
          failedClosed(l, {
            passed: 'with only a foreign resolver offered, every lookup on the host failed closed',
            failed: 'the host got answers with only a foreign resolver offered',
            expected: 'no answer to any lookup: no sovereign resolver is offered',
            when: 'with no sovereign resolver offered',
          }),
      );
    },
  },
  {
    name: 'resolv-conf-names-no-foreign-resolver',
    description:
      "Second witness: with only a foreign resolver offered, the namespace's resolv.conf names no resolver outside the domestic ranges (none at all, or a local one)",
    verify(history) {
      const l = lastObservation(history, unofferedLookups).data;
      const servers = nameservers(l.resolvConf);
      const foreign = servers.filter(
        (s) => !addressInAnyCidr(s, [...l.domesticCidrs, '127.0.0.0/8', '::1/128']),
      );
      return verdictOf(
        foreign.length === 0,
        `resolv.conf names ${servers.join(', ') || 'no resolver'}`,
        `resolv.conf names ${foreign.join(', ')}, outside the domestic ranges`,
        {
          expected: 'no nameserver outside the domestic ranges',
          observed: servers.join(', ') || '(none)',
          evidence: [{ source: "/etc/resolv.conf of the host's namespace", excerpt: l.resolvConf }],
        },
      );
    },
  },
];
