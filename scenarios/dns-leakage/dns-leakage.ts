import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { borderZones, networkZones } from '../network-world/network-zones.ts';
import { dnsChecks } from './dns-checks.ts';
import { runDnsLeakage } from './dns-schedule.ts';
import { dnsLeakageWorld } from './dns-world.ts';

const here = dirname(fileURLToPath(import.meta.url));
const zoneCidrs = networkZones.sovereign.cidrs;

/**
 * The manual's Section C: names resolve only through sovereign resolvers. The network offers the
 * host a foreign "global" resolver as well (listed first, as a careless DHCP server would); the
 * stack must not use it, also when the sovereign resolver goes down: then lookups fail closed,
 * through resolv.conf and for a program that asks the foreign resolver by itself. What each
 * resolver received is read from its own query log, and DNS packets are counted at the exchange;
 * both count only because they saw the query the harness sent the foreign resolver on purpose.
 */
export default defineScenario({
  name: 'dns-leakage',
  description:
    'Names resolve through the sovereign resolver; the foreign resolver receives zero queries from the zone, also while the sovereign resolver is down',
  needs: [],
  sections: ['dns'],
  topology: dnsLeakageWorld(borderZones, 'ipv4'),
  async run(context) {
    await runDnsLeakage(context, zoneCidrs);
  },
  checks: dnsChecks,
  mutants: [
    {
      name: 'foreign-resolver-listed',
      description:
        'The stack writes every resolver the network offers into resolv.conf, the foreign one included',
      expectFailing: [
        'foreign-resolver-receives-nothing',
        'names-resolve-through-sovereign-resolver',
      ],
      stackPatch: join(here, 'mutants', 'foreign-resolver-listed.patch'),
    },
    {
      name: 'foreign-fallback-resolver',
      description:
        'The stack keeps the offered foreign resolver as a fallback after the sovereign one (sorted instead of filtered), in resolv.conf and in the fence: the sovereign resolver answers first while it is up',
      expectFailing: [
        'foreign-resolver-receives-nothing',
        'lookups-fail-closed-while-sovereign-down',
        'resolv-conf-names-sovereign-only',
      ],
      stackPatch: join(here, 'mutants', 'foreign-fallback-resolver.patch'),
    },
    {
      name: 'fence-opens-offered-resolvers',
      description:
        'The fence accepts DNS to every resolver the network offers, not only the sovereign ones; resolv.conf stays sovereign-only',
      expectFailing: [
        'foreign-resolver-receives-nothing',
        'lookups-fail-closed-while-sovereign-down',
      ],
      stackPatch: join(here, 'mutants', 'fence-opens-offered-resolvers.patch'),
    },
    {
      name: 'fence-tcp-dns-anywhere',
      description:
        'The fence accepts DNS over TCP to any server ("a truncated answer is asked again over TCP"): resolv.conf and UDP stay sovereign-only, but a program that asks the foreign resolver over TCP gets its answer',
      expectFailing: [
        'foreign-resolver-receives-nothing',
        'lookups-fail-closed-while-sovereign-down',
      ],
      stackPatch: join(here, 'mutants', 'fence-tcp-dns-anywhere.patch'),
    },
  ],
});
