import { z } from 'zod';
import type { StartedContainer } from '../../harness/runtime/started-container.ts';
import { parseCidr } from '../../harness/util/cidr.ts';
import { newSeed, SeededRandom } from '../../harness/util/seeded-random.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import { simImage } from '../images.ts';
import type { SimKind, SimStartRequest } from '../sim-kind.ts';
import {
  announcedPrefixes,
  announcedPrefixesFile,
  birdRouterConfig,
  type BgpNeighbor,
} from './bird-config.ts';
import {
  delayerCommand,
  linkJitterSeed,
  planImpairments,
  type Delayer,
  type LinkOnInterfaces,
} from './link-impairment.ts';
import { StartedRouter, type RouterLeg } from './started-router.ts';
import type { VxlanTunnel } from './vxlan-tunnel.ts';

const asn = z.number().int().min(1).max(4_294_967_294);
const cidr = z.string().refine((text) => typeof parseCidr(text) !== 'string', {
  error: 'use an IPv4 CIDR such as 10.41.0.0/16 (network address, no host bits)',
});

export const routerOptions = z
  .object({
    /** The router's AS; with it the router speaks BGP (BIRD 2) and takes no static routes. */
    asn: asn.optional(),
    /** Routers to hold a BGP session with (on a zone both are on), with their AS. */
    bgpPeers: z.array(z.object({ router: z.string(), asn }).strict()).default([]),
    /** Accept BGP sessions from any host of the router's own zone (`zone`), in this AS (the hosts' AS). */
    hostAsn: asn.optional(),
    /** Prefixes the router originates in BGP from the start. */
    announce: z.array(cidr).default([]),
    /** The router is operated inside the jurisdiction: hosts count its AS as domestic. */
    domestic: z.boolean().default(false),
    /** The router leads out of the jurisdiction (the border toward the exchange). */
    upstream: z.boolean().default(false),
    /** A static default route through this router (a border router's upstream), on a shared zone. */
    defaultVia: z.string().optional(),
    /**
     * VXLAN tunnels the router terminates (a site router joining its site to another over the
     * underlay): its endpoint is its address on the `local` zone, the peer's is the peer router's
     * address on the `remote` zone; `carries` are routed into the tunnel. The underlay path is the
     * world's static route to the peer's endpoint. `floodTo` names further routers (and the zone
     * of their endpoint) the VNI's frames are also replicated to: a static flood list.
     */
    vxlan: z
      .array(
        z
          .object({
            vni: z.number().int().min(1).max(16_777_215),
            local: z.string(),
            peer: z.string(),
            remote: z.string(),
            carries: z.array(cidr).min(1),
            floodTo: z
              .array(z.object({ peer: z.string(), remote: z.string() }).strict())
              .default([]),
          })
          .strict(),
      )
      .default([]),
  })
  .strict()
  .refine(
    (o) =>
      o.asn !== undefined ||
      (o.bgpPeers.length === 0 && o.hostAsn === undefined && o.announce.length === 0),
    {
      error: 'bgpPeers, hostAsn and announce need the router to speak BGP: give it an asn',
    },
  )
  .refine((o) => o.asn === undefined || o.vxlan.length === 0, {
    error: 'vxlan tunnels route over the static plan: give the router no asn',
  })
  .refine((o) => new Set(o.vxlan.map((t) => t.vni)).size === o.vxlan.length, {
    error: 'give each vxlan tunnel of a router its own vni',
  });

export type RouterOptions = z.output<typeof routerOptions>;

const birdReadyTimeoutMs = 15_000;
const delayerReadyTimeoutMs = 20_000;
/** Queue numbers of the fallback delayers: one per impaired link. */
const firstDelayQueue = 100;

/** The router's interfaces, found by the addresses the world gave it. */
async function discoverLegs(
  container: StartedContainer,
  wanted: { zone: string; address: string }[],
): Promise<RouterLeg[]> {
  const out = (await container.run(['ip', '-o', '-4', 'addr', 'show'], { timeoutMs: 10_000 }))
    .stdout;
  return wanted.map(({ zone, address }) => {
    const line = out.split('\n').find((l) => l.includes(` inet ${address}/`));
    const match = line === undefined ? null : /^\d+:\s+(\S+)\s+inet\s+([\d.]+)\/(\d+)/.exec(line);
    if (match === null)
      throw new SovhError(
        'ROUTER_LEG_MISSING',
        `router ${container.nodeName}: no interface has ${address} (its leg on ${zone}):\n${out}`,
      );
    const device = (match[1] ?? '').replace(/@.*$/, '');
    const prefix = Number(match[3]);
    const octets = address.split('.').map(Number);
    const value = octets.reduce((acc, o) => acc * 256 + o, 0);
    const network = value - (value % 2 ** (32 - prefix));
    const subnet = `${[24, 16, 8, 0].map((s) => Math.floor(network / 2 ** s) % 256).join('.')}/${prefix}`;
    return { zone, device, address, subnet };
  });
}

/** Counting chain: one rule per ordered pair of legs, no target, so its counters are the crossings. */
function countingScript(legs: readonly RouterLeg[]): string {
  const rules = legs.flatMap((a) =>
    legs
      .filter((b) => b !== a)
      .map(
        (b) =>
          `iptables -A SOVH_CROSSING -i ${a.device} -o ${b.device} -m comment --comment "${a.zone}>${b.zone}"`,
      ),
  );
  return ['iptables -N SOVH_CROSSING', 'iptables -I FORWARD 1 -j SOVH_CROSSING', ...rules].join(
    ' && ',
  );
}

async function netemAvailable(container: StartedContainer): Promise<boolean> {
  const probe = await container.exec(
    ['sh', '-c', 'tc qdisc add dev lo root netem delay 1ms && tc qdisc del dev lo root'],
    { timeoutMs: 10_000 },
  );
  return probe.exitCode === 0;
}

async function startDelayer(container: StartedContainer, delayer: Delayer): Promise<void> {
  const { queue } = delayer;
  const log = `/var/lib/router/link-delay-${queue}.log`;
  // Highest CPU weight (SYS_NICE): on a busy machine the delayer must wake when a packet is due,
  // or the scheduler's lateness adds to the delay asked for.
  await container.run(
    ['sh', '-c', `setsid nice -n -20 ${delayerCommand(delayer).join(' ')} >${log} 2>&1 &`],
    { timeoutMs: 10_000 },
  );
  try {
    await container.waitForCommand(['grep', '-q', 'LINK_DELAY_READY', log], delayerReadyTimeoutMs);
  } catch (error) {
    const output = await container.exec(['cat', log], { timeoutMs: 5_000 }).catch(() => undefined);
    throw new SovhError(
      'LINK_DELAY_FAILED',
      `router ${container.nodeName}: link-delay for queue ${queue} not ready: ${output?.stdout.trim() || '(no output)'}`,
      { cause: error },
    );
  }
}

/** Applies the links' impairments and says which mechanism ran. */
async function impairLinks(
  container: StartedContainer,
  request: SimStartRequest<RouterOptions>,
  legs: readonly RouterLeg[],
) {
  const device = (zone: string) => legs.find((l) => l.zone === zone)?.device ?? '';
  // Without the run's randomness (a kind started on its own) the draws still have a seed, printed.
  const random = request.random ?? new SeededRandom(newSeed());
  const links: LinkOnInterfaces[] = (request.links ?? []).map((link, i) => ({
    link,
    interfaces: [device(link.zones[0]), device(link.zones[1])],
    queue: firstDelayQueue + i,
    jitterSeed: linkJitterSeed(random, link),
  }));
  const plan = planImpairments(links, await netemAvailable(container));
  for (const delayer of plan.delayers) await startDelayer(container, delayer);
  if (plan.commands.length > 0)
    await container.sh(plan.commands.join(' && '), { timeoutMs: 20_000 });
  return plan;
}

function bgpNeighbors(
  request: SimStartRequest<RouterOptions>,
  legs: readonly RouterLeg[],
): BgpNeighbor[] {
  const { options } = request.service;
  const peers = options.bgpPeers.map((peer) => {
    for (const leg of legs) {
      try {
        const address = request.addressOf?.(leg.zone, peer.router);
        if (address !== undefined)
          return { name: `peer_${peer.router}`, address, asn: peer.asn, dynamic: false };
      } catch {
        // Not on this zone; try the next leg.
      }
    }
    throw new SovhError(
      'BGP_PEER_UNREACHABLE',
      `router ${request.service.name}: BGP peer "${peer.router}" shares no zone with it (zones: ${legs.map((l) => l.zone).join(', ')})`,
    );
  });
  // Hosts peer on the router's own zone (its first leg); its other legs face routers.
  const home = legs[0];
  const hosts =
    options.hostAsn === undefined || home === undefined
      ? []
      : [{ name: `hosts_${home.zone}`, address: home.subnet, asn: options.hostAsn, dynamic: true }];
  return [...peers, ...hosts];
}

async function startBird(
  container: StartedContainer,
  request: SimStartRequest<RouterOptions>,
  legs: readonly RouterLeg[],
  asnValue: number,
): Promise<void> {
  const config = birdRouterConfig({
    routerId: legs[0]?.address ?? '',
    asn: asnValue,
    neighbors: bgpNeighbors(request, legs),
  });
  await container.writeFile('/etc/bird/bird.conf', config);
  await container.writeFile(
    announcedPrefixesFile,
    announcedPrefixes(request.service.options.announce),
  );
  await container.run(['bird', '-c', '/etc/bird/bird.conf', '-s', '/run/bird/bird.ctl'], {
    timeoutMs: 10_000,
  });
  await container.waitForCommand(
    ['birdc', '-s', '/run/bird/bird.ctl', 'show', 'status'],
    birdReadyTimeoutMs,
  );
}

/** The two endpoints of each tunnel, from the router's legs and the world's address plan. */
function plannedTunnels(
  request: SimStartRequest<RouterOptions>,
  legs: readonly RouterLeg[],
): VxlanTunnel[] {
  const { service } = request;
  return service.options.vxlan.map((t) => {
    const local = legs.find((l) => l.zone === t.local)?.address;
    if (local === undefined)
      throw new SovhError(
        'TUNNEL_ENDPOINT_MISSING',
        `router ${service.name}: vxlan ${t.vni} has its endpoint on zone "${t.local}", where the router has no leg (zones: ${legs.map((l) => l.zone).join(', ')})`,
      );
    const endpoint = (peer: string, zone: string): string => {
      let address: string | undefined;
      try {
        address = request.addressOf?.(zone, peer);
      } catch (error) {
        throw new SovhError(
          'TUNNEL_ENDPOINT_MISSING',
          `router ${service.name}: vxlan ${t.vni}'s peer "${peer}" is not on zone "${zone}"`,
          { cause: error },
        );
      }
      if (address === undefined)
        throw new SovhError(
          'TUNNEL_ENDPOINT_MISSING',
          `router ${service.name}: vxlan ${t.vni}: the world gave no address plan to find peer "${peer}"`,
        );
      return address;
    };
    const remote = endpoint(t.peer, t.remote);
    const floodTo = t.floodTo.map((f) => endpoint(f.peer, f.remote));
    return { vni: t.vni, local, remote, carries: t.carries, floodTo };
  });
}

function defaultRoute(
  request: SimStartRequest<RouterOptions>,
  legs: readonly RouterLeg[],
): string | undefined {
  const target = request.service.options.defaultVia;
  if (target === undefined) return undefined;
  for (const leg of legs) {
    try {
      return request.addressOf?.(leg.zone, target);
    } catch {
      // Not on this zone.
    }
  }
  throw new SovhError(
    'DEFAULT_ROUTE_UNREACHABLE',
    `router ${request.service.name}: defaultVia "${target}" shares no zone with it`,
  );
}

/**
 * The router kind: a container with a leg on each of its zones that forwards between them, counts
 * and captures what crosses, impairs its links and optionally speaks BGP. See README.md.
 */
export const routerKind: SimKind<RouterOptions> = {
  kind: 'router',
  description:
    'Router between zone networks: forwarding, crossing counters, tcpdump captures, link impairments, BGP (BIRD 2)',
  image: simImage('router'),
  options: routerOptions,
  async start(request) {
    const { session, service } = request;
    const wanted = [{ zone: service.zone, ...request.network }, ...(request.legs ?? [])];
    let builder = session
      .container(request.image, service.name)
      .withNode(service.name, 'router')
      .withCommandChannel()
      // SYS_NICE: the fallback delayer runs at the highest CPU weight (see startDelayer).
      .withCapabilities('NET_ADMIN', 'NET_RAW', 'SYS_NICE')
      .withSysctls({
        'net.ipv4.ip_forward': '1',
        'net.ipv4.conf.all.rp_filter': '0',
        'net.ipv4.conf.default.rp_filter': '0',
        // Only on a dual-stack leg: a kernel booted without IPv6 has no such key to set.
        ...(wanted.some((leg) => leg.subnet6 !== undefined)
          ? { 'net.ipv6.conf.all.forwarding': '1' }
          : {}),
      })
      .withInit();
    for (const leg of wanted) builder = builder.withNetwork(leg.name, leg.address, [service.name]);
    const container = await builder.start();

    const legs = await discoverLegs(container, wanted);
    // The engine's default route leads to the engine host, not into the world: only the topology routes.
    await container.sh(
      `ip route del default 2>/dev/null; ip -6 route del default 2>/dev/null; ${countingScript(legs)}`,
      {
        timeoutMs: 10_000,
      },
    );
    const via = defaultRoute(request, legs);
    if (via !== undefined)
      await container.sh(`ip route replace default via ${via}`, { timeoutMs: 10_000 });
    const impairment = await impairLinks(container, request, legs);
    const { options } = service;
    if (options.asn !== undefined) await startBird(container, request, legs, options.asn);
    const tunnels = plannedTunnels(request, legs);

    const facts: Record<string, string> = {
      legs: legs.map((l) => `${l.zone}=${l.address}(${l.device})`).join(' '),
      impairment: impairment.mechanism,
      ...(impairment.description.length > 0 ? { links: impairment.description.join('; ') } : {}),
      ...(options.asn === undefined
        ? {}
        : { bgp: `AS${options.asn} announcing ${options.announce.join(',') || 'nothing'}` }),
      ...(tunnels.length === 0
        ? {}
        : {
            vxlan: tunnels
              .map(
                (t) =>
                  `vni ${t.vni} ${t.local}->${t.remote} carrying ${t.carries.join(',')}${t.floodTo.length === 0 ? '' : `, flooding also to ${t.floodTo.join(',')}`}`,
              )
              .join('; '),
          }),
    };
    return new StartedRouter(
      service.name,
      container,
      legs,
      facts,
      options.asn === undefined
        ? undefined
        : {
            asn: options.asn,
            announced: [...options.announce],
            hostAsn: options.hostAsn,
            domestic: options.domestic,
            upstream: options.upstream,
          },
      options.asn === undefined,
      tunnels,
    );
  },
};
