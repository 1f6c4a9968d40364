import { injectFault } from '../../harness/faults/inject-fault.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { asRouter } from '../../sims/router/started-router.ts';
import { observeExchangeCapture } from '../network-world/exchange-capture.ts';
import { awaitNetworkControls } from '../network-world/network-evidence.ts';
import { globalOnlyName, sovereignRecords } from './dns-checks.ts';
import {
  observeLookups,
  observeOutageLookups,
  observeResolvers,
  sendControlQuery,
} from './dns-evidence.ts';

/**
 * dns-leakage's schedule, in any world with a sovereign resolver `sovereign-dns`, a foreign one
 * `global-dns`, the border routers and host vm1: the control query to the foreign resolver, the
 * host's lookups, the same while the sovereign resolver is down, then what each resolver logged and
 * what DNS from the zone crossed the exchange. `zoneCidrs` are the sovereign zone's ranges, of
 * both families in a dual-stack world: the queries and packets counted are those from them.
 */
export async function runDnsLeakage(
  context: ScenarioContext,
  zoneCidrs: readonly string[],
): Promise<void> {
  const { world } = context;
  const vm = world.host('vm1');
  await context.step('wait for the host to write its resolver configuration', () =>
    awaitNetworkControls(context.world, vm),
  );
  const ixp = asRouter(world.sim('ixp'));
  const capture = await ixp.startCapture('dns', {
    zone: 'foreign',
    filter: `port 53 and (${zoneCidrs.map((c) => `src net ${c}`).join(' or ')})`,
  });
  const canaryDraws = context.random.stream('canary-names');
  const canary = (label: string) => `sovh-${label}-${canaryDraws.hex(6)}.control.example`;
  await context.step(
    "ask the foreign resolver on purpose from the zone's observer (positive control)",
    () => sendControlQuery(context, 'sovereign', 'global-dns', canary('control')),
  );
  await context.step('resolve names on the host', () =>
    observeLookups(context, vm, [...Object.keys(sovereignRecords), globalOnlyName]),
  );
  const heal = await injectFault(context, 'resolver-outage', { resolver: 'sovereign-dns' });
  await context.step('resolve names on the host while the sovereign resolver is down', () =>
    observeOutageLookups(context, vm, {
      down: 'sovereign-dns',
      foreign: 'global-dns',
      zone: 'sovereign',
      names: Object.keys(sovereignRecords),
      canary: canary('outage'),
    }),
  );
  await heal();
  await context.step('read what each resolver received', async () => {
    await observeResolvers(context, ['sovereign-dns', 'global-dns'], zoneCidrs);
    const seen = await capture.stop();
    observeExchangeCapture(context, ixp.name, seen);
  });
}
