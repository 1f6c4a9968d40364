import { observeExchangeCapture } from '../network-world/exchange-capture.ts';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { asRouter } from '../../sims/router/started-router.ts';
import { awaitNetworkControls } from '../network-world/network-evidence.ts';
import { borderRouters, borderZones, networkZones } from '../network-world/network-zones.ts';
import { dnsChecks, globalOnlyName, sovereignRecords } from './dns-checks.ts';
import { observeLookups, observeResolvers } from './dns-evidence.ts';

const here = dirname(fileURLToPath(import.meta.url));
const zoneCidrs = networkZones.sovereign.cidrs;

/**
 * The manual's Section C: names resolve only through sovereign resolvers. The network offers the
 * host a foreign "global" resolver as well (listed first, as a careless DHCP server would); the
 * stack must not use it. What each resolver received is read from its own query log, and DNS
 * packets are counted at the exchange.
 */
export default defineScenario({
  name: 'dns-leakage',
  description:
    'Names resolve through the sovereign resolver; the foreign resolver receives zero queries from the zone',
  needs: [],
  sections: ['dns'],
  topology: {
    zones: borderZones,
    services: [
      ...borderRouters,
      {
        name: 'global-dns',
        kind: 'resolver',
        zone: 'foreign',
        options: {
          role: 'global',
          offered: true,
          records: { 'api.sovereign.example': '10.80.66.10', [globalOnlyName]: '10.80.66.11' },
        },
      },
      {
        name: 'sovereign-dns',
        kind: 'resolver',
        zone: 'sovereign',
        options: { role: 'sovereign', records: sovereignRecords },
      },
    ],
    hosts: [{ name: 'vm1', zone: 'sovereign' }],
  },
  async run(context) {
    const { world } = context;
    const vm = world.host('vm1');
    await context.step('wait for the host to write its resolver configuration', () =>
      awaitNetworkControls(vm),
    );
    const ixp = asRouter(world.sim('ixp'));
    const capture = await ixp.startCapture('dns', {
      zone: 'foreign',
      filter: `port 53 and src net ${zoneCidrs[0] ?? ''}`,
    });
    await context.step('resolve names on the host', () =>
      observeLookups(context, vm, [...Object.keys(sovereignRecords), globalOnlyName]),
    );
    await context.step('read what each resolver received', async () => {
      await observeResolvers(context, ['sovereign-dns', 'global-dns'], zoneCidrs);
      const seen = await capture.stop();
      observeExchangeCapture(context, ixp.name, seen);
    });
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
  ],
});
