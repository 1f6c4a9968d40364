import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { dnsChecks } from '../dns-leakage/dns-checks.ts';
import { runDnsLeakage } from '../dns-leakage/dns-schedule.ts';
import { dnsLeakageWorld } from '../dns-leakage/dns-world.ts';
import { dualStackBorderZones, ipv6Ranges } from '../egress-ipv6/ipv6-world.ts';
import { networkZones } from '../network-world/network-zones.ts';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * dns-leakage in a dual-stack world where both resolvers are offered by their IPv6 addresses only,
 * as a router advertisement's RDNSS option would hand them out: a stack that judges resolvers by
 * their IPv4 address alone (an IPv6 one "is on the link", or "is not ours to filter") lists the
 * foreign one and leaks every lookup there, and one that never trusts an IPv6 resolver drops the
 * sovereign one and resolves nothing; dns-leakage, which offers both over IPv4, passes both.
 */
export default defineScenario({
  name: 'dns-leakage-ipv6',
  description:
    'With both resolvers offered over IPv6, the foreign one receives zero queries from the zone; names resolve through the sovereign one, and while it is down they fail closed',
  needs: ['ipv6'],
  sections: ['dns'],
  topology: dnsLeakageWorld(dualStackBorderZones, 'ipv6', true, 'ipv6'),
  async run(context) {
    await runDnsLeakage(context, [...networkZones.sovereign.cidrs, ipv6Ranges.sovereign]);
  },
  checks: dnsChecks,
  mutants: [
    {
      // dns-leakage offers its foreign resolver over IPv4 and passes this stack.
      name: 'ipv6-resolvers-trusted',
      description:
        'The stack keeps every IPv6 resolver the network offers ("an RDNSS comes from our own router"), judging only IPv4 ones by the domestic ranges: resolv.conf lists the foreign resolver and the fence lets DNS out to it',
      expectFailing: [
        'foreign-resolver-receives-nothing',
        'names-resolve-through-sovereign-resolver',
        'lookups-fail-closed-while-sovereign-down',
        'resolv-conf-names-sovereign-only',
      ],
      stackPatch: join(here, 'mutants', 'ipv6-resolvers-trusted.patch'),
    },
    {
      name: 'ipv6-resolvers-never-sovereign',
      description:
        'The stack takes no IPv6 resolver for sovereign ("an RDNSS-offered resolver is never ours"), whatever its range: a site whose sovereign resolver is offered over IPv6 gets a resolv.conf with no nameserver, and every lookup fails',
      expectFailing: [
        'names-resolve-through-sovereign-resolver',
        'resolv-conf-names-sovereign-only',
      ],
      stackPatch: join(here, 'mutants', 'ipv6-resolvers-never-sovereign.patch'),
    },
  ],
});
