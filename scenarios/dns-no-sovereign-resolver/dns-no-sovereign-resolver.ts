import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineProbe } from '../../harness/checks/probes/machine-probe.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { asResolver } from '../../sims/resolver/resolver.ts';
import { asRouter } from '../../sims/router/started-router.ts';
import { sovereignRecords } from '../dns-leakage/dns-checks.ts';
import {
  lookupsEveryWay,
  observeResolvers,
  sendControlQuery,
} from '../dns-leakage/dns-evidence.ts';
import { dnsLeakageWorld } from '../dns-leakage/dns-world.ts';
import { observeExchangeCapture } from '../network-world/exchange-capture.ts';
import { awaitNetworkControls } from '../network-world/network-evidence.ts';
import { borderZones, networkZones } from '../network-world/network-zones.ts';
import { noSovereignChecks, unofferedLookups } from './no-sovereign-checks.ts';

const here = dirname(fileURLToPath(import.meta.url));
const zoneCidrs = networkZones.sovereign.cidrs;

/**
 * The manual's Section C at its edge: the network offers the host a foreign resolver and no
 * sovereign one at all (a site whose resolver is not set up yet, a DHCP server of the wrong
 * network). dns-leakage always offers a sovereign resolver beside the foreign one, so a stack that
 * falls back to whatever is offered when no sovereign resolver is ("never leave a host without
 * DNS") passes it; here its lookups must fail closed, and the foreign resolver, whose own log and
 * the exchange capture are read behind the harness's control query, must receive nothing.
 */
export default defineScenario({
  name: 'dns-no-sovereign-resolver',
  description:
    'With only a foreign resolver offered, every lookup on the host fails closed and the foreign resolver receives zero queries from the zone',
  needs: [],
  sections: ['dns'],
  topology: dnsLeakageWorld(borderZones, 'ipv4', false),
  async run(context) {
    const { world } = context;
    const vm = world.host('vm1');
    const foreign = asResolver(world.sim('global-dns'));
    await context.step('wait for the host to write its resolver configuration', () =>
      awaitNetworkControls(world, vm),
    );
    const ixp = asRouter(world.sim('ixp'));
    const capture = await ixp.startCapture('dns', {
      zone: 'foreign',
      filter: `port 53 and (${zoneCidrs.map((c) => `src net ${c}`).join(' or ')})`,
    });
    const canary = `sovh-control-${context.random.stream('canary-names').hex(6)}.control.example`;
    await context.step(
      "ask the foreign resolver on purpose from the zone's observer (positive control)",
      () => sendControlQuery(context, 'sovereign', 'global-dns', canary),
    );
    await context.step('resolve names on the host', async () => {
      const probe = await machineProbe(world, vm.machine);
      const resolvConf = (await probe.exec(['cat', '/etc/resolv.conf'], { timeoutMs: 5_000 }))
        .stdout;
      context.observe(unofferedLookups, {
        host: vm.name,
        resolvConf,
        domesticCidrs: [...zoneCidrs],
        ...(await lookupsEveryWay(probe, Object.keys(sovereignRecords), foreign.offeredAddress)),
      });
    });
    await context.step('read what the foreign resolver received', async () => {
      await observeResolvers(context, ['global-dns'], zoneCidrs);
      observeExchangeCapture(context, ixp.name, await capture.stop());
    });
  },
  checks: noSovereignChecks,
  mutants: [
    {
      name: 'offered-resolvers-when-none-sovereign',
      description:
        'With no sovereign resolver in the site file, the stack takes every offered resolver ("never leave a host without DNS"), into resolv.conf and the fence: with a sovereign one offered, as in dns-leakage, nothing changes',
      expectFailing: [
        'foreign-resolver-receives-nothing',
        'lookups-fail-closed-without-sovereign-resolver',
        'resolv-conf-names-no-foreign-resolver',
      ],
      stackPatch: join(here, 'mutants', 'offered-resolvers-when-none-sovereign.patch'),
    },
  ],
});
