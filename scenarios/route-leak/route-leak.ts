import { dirname, join } from 'node:path';
import { injectFault } from '../../harness/faults/inject-fault.ts';
import { fileURLToPath } from 'node:url';
import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { asEndpoint } from '../../sims/endpoint/endpoint.ts';
import { asRouter } from '../../sims/router/started-router.ts';
import {
  awaitLearnedRoute,
  kernelRoutes,
  observeBirdLog,
  observeMtr,
  type MtrPath,
} from '../network-world/bgp-evidence.ts';
import {
  asns,
  bgpWorld,
  domesticSitePrefix,
  leakedMoreSpecifics,
} from '../network-world/bgp-world.ts';
import {
  awaitNetworkControls,
  observeConnectAttempts,
  type ConnectAttempts,
} from '../network-world/network-evidence.ts';
import {
  nothingCrossesExchange,
  observeExchangeCapture,
} from '../network-world/exchange-capture.ts';
import { domesticCidrs } from '../network-world/network-zones.ts';
import { cidrContains, parseCidr } from '../../harness/util/cidr.ts';

const here = dirname(fileURLToPath(import.meta.url));
const phase = 'leaked';
/**
 * More specifics of the foreign region, announced over all-domestic AS paths: one by the border
 * router, one by the inside router (a filter on the border session alone lets the second in).
 */
const foreignFromBorder = '10.80.0.0/17';
const foreignFromInside = '10.80.128.0/17';
/** How long the leak gets to spread before the host is probed (BGP updates take a moment). */
const leakSettleMs = 6_000;

/** Whether a kernel route's destination (`default`, an address, or a CIDR) lies in one of `cidrs`. */
export function cidrWithin(destination: string, cidrs: readonly string[]): boolean {
  const text =
    destination === 'default'
      ? '0.0.0.0/0'
      : destination.includes('/')
        ? destination
        : `${destination}/32`;
  const inner = parseCidr(text);
  if (typeof inner === 'string') return false;
  return cidrs.some((c) => {
    const outer = parseCidr(c);
    return typeof outer !== 'string' && cidrContains(outer, inner);
  });
}

const checks: Check[] = [
  {
    name: 'domestic-target-reachable-during-leak',
    description:
      'With the leak in place, the domestic target still answers the host (over the domestic path)',
    verify(history) {
      const { attempts } = lastObservation<ConnectAttempts>(
        history,
        'connect-attempts',
        (d) => d.phase === phase,
      ).data;
      const failed = attempts.filter((a) => !a.connected);
      return verdictOf(
        attempts.length > 0 && failed.length === 0,
        'the domestic target answered',
        `unreachable: ${failed.map((a) => `${a.target} (${a.detail})`).join(', ')}`,
        {
          expected: 'TCP connection to the domestic target accepted',
          observed: attempts
            .map((a) => `${a.target} ${a.connected ? 'connected' : a.detail}`)
            .join('; '),
        },
      );
    },
  },
  nothingCrossesExchange({
    name: 'no-domestic-packet-crosses-exchange',
    description:
      'No packet to the domestic target reaches the exchange router while the leaked route is announced',
    passed: `the exchange saw no packet for ${domesticSitePrefix}`,
    failed: (packets) =>
      `${String(packets)} packet(s) for the domestic site crossed to the exchange`,
  }),
  {
    name: 'mtr-shows-no-foreign-hop',
    description:
      'mtr from the host reaches the domestic target over domestic hops only (a path that dies at the border shows where it went)',
    verify(history) {
      const path = lastObservation<MtrPath>(history, 'mtr-path', (d) => d.phase === phase).data;
      const hops = path.hops.map((h) => h.address).join(' > ');
      const reached = path.hops.some((h) => h.address === path.target);
      const problems = [
        ...(reached ? [] : [`the path never reached ${path.target}`]),
        ...path.foreignHops.map((h) => `foreign hop #${h.hop} ${h.address}`),
      ];
      return verdictOf(
        problems.length === 0,
        `path ${hops}`,
        `${problems.join('; ')} (path ${hops || 'empty'})`,
        {
          expected: `hops inside the domestic CIDRs, ending at ${path.target}`,
          observed: hops || '(no hops)',
          evidence: [
            { source: `mtr from the host's machine to ${path.target}`, excerpt: path.raw },
          ],
        },
      );
    },
  },
  {
    name: 'only-domestic-prefixes-learned',
    description:
      "Every route the host's BGP put in its kernel lies inside the domestic CIDRs, also with foreign prefixes announced over all-domestic AS paths by the border and by the inside router (read from the machine's routing table outside the stack)",
    verify(history) {
      const { routes } = lastObservation<{ phase: string; routes: string }>(
        history,
        'host-routes',
        (d) => d.phase === phase,
      ).data;
      const learned = routes
        .split('\n')
        .filter((l) => l.includes('proto bird'))
        .map((l) => l.split(/\s+/)[0] ?? '');
      const outside = learned.filter((prefix) => !cidrWithin(prefix, domesticCidrs));
      return verdictOf(
        learned.length > 0 && outside.length === 0,
        `learned ${learned.join(', ')}: all domestic`,
        learned.length === 0
          ? 'no route learned over BGP at all'
          : `learned ${outside.join(', ')}, outside the domestic CIDRs ${domesticCidrs.join(', ')}`,
        {
          expected: `BGP routes inside ${domesticCidrs.join(', ')} only (${foreignFromBorder} and ${foreignFromInside} refused)`,
          observed: learned.join(', ') || '(none)',
          evidence: [{ source: "ip -4 route in the machine's namespace", excerpt: routes }],
        },
      );
    },
  },
  {
    name: 'leak-rejected-logged',
    description: "Second witness: the host's routing daemon logged the leaked prefixes as rejected",
    verify(history) {
      const { lines } = lastObservation<{ phase: string; lines: string[] }>(
        history,
        'bird-log',
        (d) => d.phase === phase,
      ).data;
      const rejected = lines.filter((l) => l.includes('ROUTE_LEAK_REJECTED'));
      const missing = leakedMoreSpecifics.filter((p) => !rejected.some((l) => l.includes(p)));
      return verdictOf(
        missing.length === 0,
        `${rejected.length} ROUTE_LEAK_REJECTED line(s)`,
        `no rejection logged for ${missing.join(', ')}`,
        {
          expected: `ROUTE_LEAK_REJECTED for ${leakedMoreSpecifics.join(', ')}`,
          observed: rejected.slice(0, 4).join(' | ') || '(none)',
        },
      );
    },
  },
];

/**
 * A route leak: the exchange announces more specifics of a domestic site, so that a host taking the
 * best route would send domestic traffic through the exchange. The host must not follow it.
 */
export default defineScenario({
  name: 'route-leak',
  description:
    'A domestic prefix leaked through the exchange is not followed: no packet to the domestic target crosses it',
  needs: [],
  sections: ['routing'],
  topology: bgpWorld(),
  async run(context) {
    const { world } = context;
    const vm = world.host('vm1');
    const target = asEndpoint(world.sim('dc2-app'));
    await context.step('wait for the host and its BGP routes', async () => {
      await awaitNetworkControls(context.world, vm);
      await awaitLearnedRoute(context, vm, domesticSitePrefix, true);
    });
    // The leak passes on the domestic site's own route: its path keeps the domestic origin
    // (metro's AS) behind the exchange's, so only an AS in the middle gives it away.
    await injectFault(context, 'route-leak', {
      router: 'ixp',
      prefixes: leakedMoreSpecifics,
      origin: asns.metro,
    });
    // A foreign prefix over an all-domestic path (the border passes on what it should not): only
    // the import filter's prefix test refuses it, the AS path test lets it through.
    await injectFault(context, 'route-leak', { router: 'edge', prefixes: [foreignFromBorder] });
    // The same from the inside router: every session's import is filtered, not the border's alone.
    await injectFault(context, 'route-leak', { router: 'metro', prefixes: [foreignFromInside] });
    await context.step('let the leak spread', async () => {
      await new Promise((resolve) => setTimeout(resolve, leakSettleMs));
      context.observe('host-routes', { phase, routes: await kernelRoutes(context, vm) });
      context.observe('edge-routes', { phase, routes: await asRouter(world.sim('edge')).routes() });
    });
    const ixp = asRouter(world.sim('ixp'));
    const capture = await ixp.startCapture('leak', {
      zone: 'exchange',
      filter: `dst net ${domesticSitePrefix}`,
    });
    const canary = await context.step('reach the domestic target from the host', async () => {
      // The capture's positive control: the exchange router's own datagrams to the target.
      const sent = await ixp.sendCanary({
        zone: 'exchange',
        destination: target.address,
        via: asRouter(world.sim('edge')).leg('exchange').address,
      });
      await observeConnectAttempts(context, vm, phase, [
        { role: 'domestic', address: target.address, port: 443 },
      ]);
      await observeMtr(context, vm, phase, target.address, domesticCidrs);
      return sent;
    });
    await context.step('read the exchange capture and the host routing log', async () => {
      const seen = await capture.stop();
      observeExchangeCapture(context, ixp.name, seen, undefined, canary);
      await observeBirdLog(context, vm, phase);
    });
  },
  checks,
  mutants: [
    {
      name: 'import-filter-path-only',
      description:
        'The stack\'s BGP import filter tests only the AS path ("a domestic AS announces only domestic space"): a foreign prefix the border passes on over an all-domestic path is taken',
      expectFailing: ['only-domestic-prefixes-learned'],
      stopAfterStep: 'let the leak spread',
      stackPatch: join(here, 'mutants', 'import-filter-path-only.patch'),
    },
    {
      name: 'import-filter-upstream-only',
      description:
        'The stack filters only the session of the peer its site file marks upstream ("inside routers are ours"): a foreign prefix the inside router passes on is taken',
      expectFailing: ['only-domestic-prefixes-learned'],
      stopAfterStep: 'let the leak spread',
      stackPatch: join(here, 'mutants', 'import-filter-upstream-only.patch'),
    },
    {
      name: 'accept-leaked-route',
      description:
        "The stack's BGP import filter takes any domestic prefix, whatever AS path it came over",
      expectFailing: [
        'no-domestic-packet-crosses-exchange',
        'mtr-shows-no-foreign-hop',
        'domestic-target-reachable-during-leak',
        'leak-rejected-logged',
      ],
      stackPatch: join(here, 'mutants', 'accept-leaked-route.patch'),
    },
    {
      name: 'leak-filter-checks-origin-only',
      description:
        "The stack's BGP import filter asks only that a domestic prefix's origin AS be domestic: a domestic route passed on through the exchange keeps its origin and is taken",
      expectFailing: [
        'no-domestic-packet-crosses-exchange',
        'mtr-shows-no-foreign-hop',
        'domestic-target-reachable-during-leak',
        'leak-rejected-logged',
      ],
      stackPatch: join(here, 'mutants', 'leak-filter-checks-origin-only.patch'),
    },
  ],
});
