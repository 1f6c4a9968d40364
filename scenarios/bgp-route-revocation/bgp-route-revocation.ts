import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { injectFault } from '../../harness/faults/inject-fault.ts';
import { fileURLToPath } from 'node:url';
import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { logMarkers } from '../../harness/contract/log-markers.ts';
import { routeEventLogged } from './route-event-logged.ts';
import type { History } from '../../harness/scenario/history.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { asEndpoint } from '../../sims/endpoint/endpoint.ts';
import { asRouter } from '../../sims/router/started-router.ts';
import { awaitLearnedRoute, kernelRoutes } from '../network-world/bgp-evidence.ts';
import { bgpWorld, domesticSitePrefix } from '../network-world/bgp-world.ts';
import {
  nothingCrossesExchange,
  observeExchangeCapture,
} from '../network-world/exchange-capture.ts';
import {
  awaitNetworkControls,
  observeConnectAttempts,
  awaitMessagesLine,
  observeMessagesLog,
  type ConnectAttempts,
} from '../network-world/network-evidence.ts';

const here = dirname(fileURLToPath(import.meta.url));
/** How long the route stays in place, once in the host's kernel, before it is withdrawn. */
const routeSettleMs = 3_000;
/** How long the stack's record of a route's withdrawal or return may take to reach its messages log (its route watch polls). */
const routeLogWaitMs = 10_000;
const phases = {
  before: 'before-withdrawal',
  withdrawn: 'withdrawn',
  readvertised: 'readvertised',
} as const;

function attempts(history: History, phase: string): ConnectAttempts['attempts'] {
  return lastObservation<ConnectAttempts>(history, 'connect-attempts', (d) => d.phase === phase)
    .data.attempts;
}

function describe(list: ConnectAttempts['attempts']): string {
  return list
    .map((a) => `${a.target} ${a.connected ? 'connected' : `no answer (${a.detail})`}`)
    .join('; ');
}

function reachability(name: string, phase: string, description: string): Check {
  return {
    name,
    description,
    verify(history) {
      const list = attempts(history, phase);
      const ok = list.length > 0 && list.every((a) => a.connected);
      return verdictOf(ok, `reachable: ${describe(list)}`, `not reachable: ${describe(list)}`, {
        expected: 'connected',
        observed: describe(list),
      });
    },
  };
}

const checks: Check[] = [
  reachability(
    'reachable-before-withdrawal',
    phases.before,
    'While the domestic prefix is announced, its target answers the host',
  ),
  {
    name: 'unreachable-while-withdrawn',
    description:
      'With the prefix withdrawn, its target does not answer the host: no other path is taken (fail closed)',
    verify(history) {
      const list = attempts(history, phases.withdrawn);
      const reached = list.filter((a) => a.connected);
      return verdictOf(
        list.length > 0 && reached.length === 0,
        `unreachable: ${describe(list)}`,
        `still reached over another path: ${describe(reached)}`,
        {
          expected: 'no connection while the prefix is withdrawn',
          observed: describe(list),
        },
      );
    },
  },
  nothingCrossesExchange({
    name: 'no-fallback-through-exchange',
    description:
      'While the prefix is withdrawn, no packet to it reaches the exchange router (the host never falls back to a foreign path)',
    passed: 'the exchange saw no packet for the withdrawn prefix',
    failed: (packets) =>
      `${String(packets)} packet(s) for the withdrawn prefix went to the exchange`,
  }),
  routeEventLogged({
    name: 'revocation-logged',
    description:
      'Second witness: "BGP Route Revocation" for the prefix in the host\'s messages log',
    phase: phases.withdrawn,
    marker: logMarkers.bgpRouteRevocation,
  }),
  routeEventLogged({
    name: 'restoration-logged',
    description:
      'Once the prefix is announced again, "BGP route restored" for it in the host\'s messages log, after its revocation line',
    phase: phases.readvertised,
    marker: logMarkers.bgpRouteRestored,
    after: logMarkers.bgpRouteRevocation,
  }),
  reachability(
    'reachable-after-readvertisement',
    phases.readvertised,
    'Once the prefix is announced again, its target answers the host again',
  ),
];

/**
 * Route revocation: the domestic router withdraws a domestic prefix. The host must fail closed
 * (its targets become unreachable; nothing falls back to the border's default toward the
 * exchange), say so in its messages log, and reach them again on re-advertisement.
 */
export default defineScenario({
  name: 'bgp-route-revocation',
  description:
    'A withdrawn domestic prefix makes its targets unreachable (fail closed), is logged, and comes back on re-advertisement',
  needs: [],
  sections: ['routing'],
  topology: bgpWorld(),
  async run(context) {
    const { world } = context;
    const vm = world.host('vm1');
    const target = asEndpoint(world.sim('dc2-app'));
    const probeTarget = (phase: string) =>
      observeConnectAttempts(context, vm, phase, [
        { role: 'domestic', address: target.address, port: 443 },
      ]);
    await context.step('wait for the host and its BGP routes', async () => {
      await awaitNetworkControls(context.world, vm);
      await awaitLearnedRoute(context, vm, domesticSitePrefix, true);
      await probeTarget(phases.before);
      // A withdrawal can only be logged by a routing watch that saw the route first. The contract
      // sets no interval for that watch; this is six of the reference stack's polls.
      await sleep(routeSettleMs);
    });
    // A real network offers a default route (DHCP, a router advertisement) whatever the stack
    // wants: the withdrawn prefix must stay unreachable though a default now leads to the border.
    const withdrawDefault = await injectFault(context, 'offered-default-route', {
      host: 'vm1',
      router: 'edge',
    });
    const readvertise = await injectFault(context, 'route-withdrawal', {
      router: 'metro',
      prefix: domesticSitePrefix,
    });
    const ixp = asRouter(world.sim('ixp'));
    await context.step('probe the withdrawn prefix', async () => {
      await awaitLearnedRoute(context, vm, domesticSitePrefix, false);
      const capture = await ixp.startCapture('revocation', {
        zone: 'exchange',
        filter: `dst net ${domesticSitePrefix}`,
      });
      context.observe('host-routes', {
        phase: phases.withdrawn,
        routes: await kernelRoutes(context, vm),
      });
      await probeTarget(phases.withdrawn);
      // The capture's positive control: the exchange router's own datagrams to the target.
      const canary = await ixp.sendCanary({
        zone: 'exchange',
        destination: target.address,
        via: asRouter(world.sim('edge')).leg('exchange').address,
      });
      const seen = await capture.stop();
      observeExchangeCapture(context, ixp.name, seen, undefined, canary);
      await awaitMessagesLine(
        context,
        vm,
        (l) => l.includes(logMarkers.bgpRouteRevocation) && l.includes(domesticSitePrefix),
        routeLogWaitMs,
      );
      await observeMessagesLog(context, vm, phases.withdrawn);
    });
    await withdrawDefault();
    await readvertise();
    await context.step('probe after re-advertisement', async () => {
      await awaitLearnedRoute(context, vm, domesticSitePrefix, true);
      await probeTarget(phases.readvertised);
      await awaitMessagesLine(
        context,
        vm,
        (l) => l.includes(logMarkers.bgpRouteRestored) && l.includes(domesticSitePrefix),
        routeLogWaitMs,
      );
      await observeMessagesLog(context, vm, phases.readvertised);
    });
  },
  checks,
  mutants: [
    {
      name: 'fail-closed-default-only',
      description:
        'The stack sets only an unreachable default as its fail-closed route ("it catches whatever BGP does not cover"), none for the domestic CIDRs: once the network offers a default of its own, a withdrawn domestic prefix follows it to the border and the exchange',
      expectFailing: ['no-fallback-through-exchange'],
      stackPatch: join(here, 'mutants', 'fail-closed-default-only.patch'),
    },
    {
      name: 'default-via-exchange',
      description:
        'Instead of fail-closed routes the stack keeps a default route through the border router, toward the exchange',
      expectFailing: ['no-fallback-through-exchange'],
      stackPatch: join(here, 'mutants', 'default-via-exchange.patch'),
    },
    {
      name: 'floating-backup-route',
      description:
        'A floating static route for the domestic CIDRs through the domestic router, "so that a BGP flap does not cut sessions": a withdrawn prefix stays reachable over a path BGP no longer offers',
      expectFailing: ['unreachable-while-withdrawn'],
      stackPatch: join(here, 'mutants', 'floating-backup-route.patch'),
    },
    {
      name: 'revocation-in-residency-log',
      description:
        "The routing watch writes its revocation line to the stack's own residency log, beside its other events: the messages log never records the withdrawal",
      expectFailing: ['revocation-logged'],
      stackPatch: join(here, 'mutants', 'revocation-in-residency-log.patch'),
    },
    {
      name: 'restoration-in-residency-log',
      description:
        "The routing watch writes the return of a withdrawn prefix to the stack's own residency log (the line beside the revocation's, edited alone): the messages log never records that the route came back",
      expectFailing: ['restoration-logged'],
      stackPatch: join(here, 'mutants', 'restoration-in-residency-log.patch'),
    },
    {
      name: 'withdrawn-prefix-dampened',
      description:
        'Route-flap dampening without reuse: a withdrawn prefix is suppressed by a prohibit route ahead of BGP and stays so when it is announced again',
      expectFailing: ['reachable-after-readvertisement'],
      stackPatch: join(here, 'mutants', 'withdrawn-prefix-dampened.patch'),
    },
    {
      name: 'fail-closed-routes-ahead',
      description:
        'The fail-closed unreachable routes get a lower metric than the learned ones ("so nothing leaks before BIRD is up"): the kernel prefers them, and no domestic target is ever reachable',
      expectFailing: ['reachable-before-withdrawal', 'reachable-after-readvertisement'],
      stackPatch: join(here, 'mutants', 'fail-closed-routes-ahead.patch'),
    },
  ],
});
