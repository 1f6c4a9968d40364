import type { StartedContainer } from '../../harness/runtime/started-container.ts';
import type { PlacedHost } from '../../harness/topology/topology-validator.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import { waitUntil } from '../../harness/util/wait-until.ts';
import type { StartedSim, StaticRoute } from '../sim-kind.ts';
import { announcedPrefixes, announcedPrefixesFile } from './bird-config.ts';
import {
  parseFdbDestinations,
  parseRouteGet,
  parseVxlanLinks,
  tunnelCommands,
  type TunnelState,
  type UnderlayPath,
  type VxlanTunnel,
} from './vxlan-tunnel.ts';

/** One of the router's interfaces: its leg on a zone network. */
export interface RouterLeg {
  zone: string;
  device: string;
  address: string;
  /** The zone network's subnet, as the interface has it. */
  subnet: string;
}

/** Packets and bytes the router forwarded from one zone to another since it started. */
export interface CrossingCounter {
  from: string;
  to: string;
  packets: number;
  bytes: number;
}

export interface CaptureOptions {
  /** Capture on this zone's leg only; by default on every leg (a forwarded packet then shows twice). */
  zone?: string;
  /** A pcap-filter expression, e.g. "tcp port 443" or "dst net 10.41.0.0/16". */
  filter?: string;
}

export interface CaptureResult {
  name: string;
  device: string;
  filter: string;
  packets: number;
  /** tcpdump's one-line summary of each packet (`-nn -tt`), in order. */
  lines: string[];
  /** The capture file itself, for the evidence bundle. */
  pcap: Buffer;
  /**
   * Packets the kernel dropped before tcpdump read them (its closing statistics), or undefined
   * when tcpdump did not say. A capture that dropped any cannot prove that something was absent.
   */
  droppedByKernel: number | undefined;
}

/** The "N packets dropped by kernel" of tcpdump's closing statistics (pure). */
export function droppedByKernel(tcpdumpLog: string): number | undefined {
  const match = /(\d+) packets? dropped by kernel/.exec(tcpdumpLog);
  return match === null ? undefined : Number(match[1]);
}

export interface RouterBgp {
  asn: number;
  /** Prefixes the router originates now. */
  announced: string[];
  /** A host of these zones peers with the router in this AS (the router accepts any host address). */
  hostAsn?: number;
  domestic: boolean;
  upstream: boolean;
}

const captureDir = '/var/lib/router/captures';
/**
 * tcpdump's kernel buffer (-B, KiB). Its default, 2 MiB, overflowed on a loaded machine while the
 * sites of encapsulation-check exchanged traffic (1 and 8 packets dropped by the kernel), and a
 * capture with drops cannot prove that something was absent.
 */
const captureBufferKiB = 32_768;
const captureReadyTimeoutMs = 10_000;

/** What reads a `StartedSim` as a router, with a clear error for any other kind. */
export function asRouter(sim: StartedSim): StartedRouter {
  if (!(sim instanceof StartedRouter)) {
    throw new SovhError(
      'NOT_A_ROUTER',
      `simulator "${sim.name}" is a ${sim.kind}, not a router; routers are of kind "router"`,
    );
  }
  return sim;
}

/**
 * A running router and its control API: counters of what crossed it, packet captures, its routes,
 * and (when it speaks BGP) the prefixes it announces. Everything is read from the router's own
 * kernel and tools, never from the stack under test.
 */
export class StartedRouter implements StartedSim {
  readonly kind = 'router';
  /** Announced prefixes that claim another AS as their origin (see `announce`). */
  private readonly originAsns = new Map<string, number>();

  constructor(
    readonly name: string,
    readonly container: StartedContainer,
    readonly legs: readonly RouterLeg[],
    readonly facts: Record<string, string>,
    readonly bgp: RouterBgp | undefined,
    private readonly takesStaticRoutes: boolean,
    /** Tunnels to bring up once the static routes (their underlay) are in place. */
    private readonly plannedTunnels: readonly VxlanTunnel[] = [],
  ) {}

  get address(): string {
    return this.legs[0]?.address ?? '';
  }

  /** The router's leg on a zone; throws naming the zones it is on. */
  leg(zone: string): RouterLeg {
    const found = this.legs.find((l) => l.zone === zone);
    if (found === undefined) {
      throw new SovhError(
        'NO_SUCH_LEG',
        `router ${this.name} has no leg on zone "${zone}"; its zones: ${this.legs.map((l) => l.zone).join(', ')}`,
      );
    }
    return found;
  }

  /** Hosts of a zone the router peers with see it in their site file (`bgpPeers`, `domesticAsns`). */
  siteSection(host: PlacedHost): Record<string, unknown> {
    if (this.bgp === undefined) return {};
    const section: Record<string, unknown> = this.bgp.domestic
      ? { domesticAsns: [this.bgp.asn] }
      : {};
    const leg = this.legs[0]?.zone === host.zone ? this.legs[0] : undefined;
    if (this.bgp.hostAsn !== undefined && leg !== undefined) {
      section.bgpPeers = [
        {
          name: this.name,
          address: leg.address,
          asn: this.bgp.asn,
          localAsn: this.bgp.hostAsn,
          upstream: this.bgp.upstream,
        },
      ];
    }
    return section;
  }

  /**
   * A BGP router takes its routes from BGP alone; the others take the world's static plan, and
   * then bring up their tunnels over it (a tunnel's carried CIDRs replace the plan's routes).
   */
  async addRoutes(routes: readonly StaticRoute[]): Promise<void> {
    if (!this.takesStaticRoutes) return;
    if (routes.length > 0)
      await this.container.sh(
        routes.map((r) => `ip route replace ${r.cidr} via ${r.via}`).join(' && '),
        { timeoutMs: 10_000 },
      );
    for (const tunnel of this.plannedTunnels) await this.bringUpTunnel(tunnel);
  }

  private async bringUpTunnel(tunnel: VxlanTunnel): Promise<void> {
    const underlay = await this.underlayTo(tunnel, tunnel.remote);
    const floods = new Map<string, UnderlayPath>();
    for (const address of tunnel.floodTo)
      floods.set(address, await this.underlayTo(tunnel, address));
    await this.container.sh(tunnelCommands(tunnel, underlay, floods).join(' && '), {
      timeoutMs: 10_000,
    });
  }

  /** The path the world's routes give a tunnel's packets toward one of its endpoints. */
  private async underlayTo(tunnel: VxlanTunnel, address: string): Promise<UnderlayPath> {
    const found = await this.container.exec(['ip', '-4', 'route', 'get', address], {
      timeoutMs: 10_000,
    });
    const underlay = parseRouteGet(found.stdout);
    if (found.exitCode !== 0 || underlay === undefined)
      throw new SovhError(
        'TUNNEL_UNDERLAY_MISSING',
        `router ${this.name}: no route to vxlan ${tunnel.vni}'s endpoint ${address}: ${found.stdout.trim()} ${found.stderr.trim()}`,
      );
    return underlay;
  }

  /**
   * The VXLAN tunnels as the router's kernel has them (not as they were asked for), each with
   * every endpoint its forwarding database sends to.
   */
  async tunnels(): Promise<TunnelState[]> {
    const result = await this.container.run(['ip', '-d', '-j', 'link', 'show', 'type', 'vxlan'], {
      timeoutMs: 10_000,
    });
    return Promise.all(
      parseVxlanLinks(result.stdout).map(async (link) => {
        const fdb = await this.container.run(['bridge', '-j', 'fdb', 'show', 'dev', link.device], {
          timeoutMs: 10_000,
        });
        return { ...link, destinations: parseFdbDestinations(fdb.stdout) };
      }),
    );
  }

  /** Packets forwarded between each ordered pair of zones (iptables counters of the forward path). */
  async counters(): Promise<CrossingCounter[]> {
    const result = await this.container.run(
      ['iptables', '-t', 'filter', '-L', 'SOVH_CROSSING', '-n', '-v', '-x'],
      { timeoutMs: 10_000 },
    );
    const zoneOf = (device: string) => this.legs.find((l) => l.device === device)?.zone ?? device;
    return result.stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((f) => f.length >= 7 && /^\d+$/.test(f[0] ?? ''))
      .map((f) => ({
        packets: Number(f[0]),
        bytes: Number(f[1]),
        from: zoneOf(f[4] ?? ''),
        to: zoneOf(f[5] ?? ''),
      }));
  }

  /** Packets forwarded from one zone to another so far. */
  async crossed(from: string, to: string): Promise<number> {
    return (await this.counters()).find((c) => c.from === from && c.to === to)?.packets ?? 0;
  }

  /** Starts tcpdump; `stop()` on the result ends it and returns what it saw. */
  async startCapture(name: string, options: CaptureOptions = {}): Promise<RouterCapture> {
    if (!/^[a-z0-9-]{1,40}$/.test(name))
      throw new TypeError(`capture name "${name}": use 1-40 of a-z, 0-9 and "-"`);
    const device = options.zone === undefined ? 'any' : this.leg(options.zone).device;
    const filter = options.filter ?? '';
    const base = `${captureDir}/${name}`;
    await this.container.run(
      [
        'sh',
        '-c',
        `rm -f "$1".*; setsid tcpdump -i "$2" -nn -U --immediate-mode -B ${captureBufferKiB} -w "$1.pcap" $3 >"$1.log" 2>&1 & echo $! >"$1.pid"`,
        'capture',
        base,
        device,
        filter,
      ],
      { timeoutMs: 10_000 },
    );
    await waitUntil(
      async () => {
        const log = await this.container.exec(['cat', `${base}.log`], { timeoutMs: 5_000 });
        if (/syntax error|No such device|permission/i.test(log.stdout)) {
          throw new SovhError(
            'CAPTURE_FAILED',
            `capture ${name} on router ${this.name} failed: ${log.stdout.trim()}`,
          );
        }
        return log.stdout.includes('listening on') ? true : undefined;
      },
      {
        what: `capture ${name} on router ${this.name}`,
        expected: 'listening',
        timeoutMs: captureReadyTimeoutMs,
        intervalMs: 100,
      },
    );
    return new RouterCapture(this.container, name, base, device, filter);
  }

  /**
   * The positive control of a capture on this router's `zone` leg: the router itself sends
   * `count` UDP datagrams to `destination` (a container of the run) out of that leg, through
   * `via` (a neighbour on it), with a TTL of 1 so that the neighbour drops them instead of
   * forwarding them on. A capture there that holds them (source: the leg's address) saw the leg;
   * the host route lives only while they are sent.
   */
  async sendCanary(options: {
    zone: string;
    destination: string;
    via: string;
    count?: number;
  }): Promise<{ source: string; destination: string; sent: number }> {
    const leg = this.leg(options.zone);
    const count = options.count ?? 3;
    const send =
      'import socket,sys\n' +
      's=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n' +
      's.setsockopt(socket.IPPROTO_IP,socket.IP_TTL,1)\n' +
      'for _ in range(int(sys.argv[2])): s.sendto(b"sovh-capture-canary",(sys.argv[1],9))\n';
    await this.container.run(
      [
        'sh',
        '-c',
        'ip route replace "$1/32" via "$2" dev "$3" && python3 -c "$5" "$1" "$4"; status=$?; ip route del "$1/32" via "$2" dev "$3"; exit $status',
        'canary',
        options.destination,
        options.via,
        leg.device,
        String(count),
        send,
      ],
      { timeoutMs: 10_000 },
    );
    return { source: leg.address, destination: options.destination, sent: count };
  }

  /** The router's kernel routing table (`ip route`), as text. */
  async routes(): Promise<string> {
    return (await this.container.run(['ip', '-4', 'route'], { timeoutMs: 10_000 })).stdout;
  }

  /** BIRD's view: every route with its origin and AS path (`birdc show route all`). */
  async bgpRoutes(): Promise<string> {
    return (await this.birdc('show route all')).stdout;
  }

  /** State of each BGP session, e.g. `{ peer_edge: 'Established' }`. */
  async bgpSessions(): Promise<Record<string, string>> {
    const out = (await this.birdc('show protocols')).stdout;
    const sessions: Record<string, string> = {};
    for (const line of out.split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f[1] === 'BGP' && f[0] !== undefined) sessions[f[0]] = f[f.length - 1] ?? '';
    }
    return sessions;
  }

  /**
   * Originates a prefix in BGP (a leak, when it is not the router's to announce). With
   * `originAsn` the route claims that AS as its origin, as one the router passes on.
   */
  async announce(prefix: string, originAsn?: number): Promise<void> {
    const bgp = this.requireBgp();
    if (!bgp.announced.includes(prefix)) bgp.announced.push(prefix);
    if (originAsn === undefined) this.originAsns.delete(prefix);
    else this.originAsns.set(prefix, originAsn);
    await this.reannounce();
  }

  /** Stops originating a prefix: the BGP sessions withdraw it. */
  async withdraw(prefix: string): Promise<void> {
    const bgp = this.requireBgp();
    bgp.announced = bgp.announced.filter((p) => p !== prefix);
    this.originAsns.delete(prefix);
    await this.reannounce();
  }

  private async reannounce(): Promise<void> {
    const bgp = this.requireBgp();
    await this.container.writeFile(
      announcedPrefixesFile,
      announcedPrefixes(bgp.announced, Object.fromEntries(this.originAsns)),
    );
    const result = await this.birdc('configure');
    if (!/Reconfigured|Reconfiguration in progress/.test(result.stdout)) {
      throw new SovhError(
        'BGP_RECONFIGURE_FAILED',
        `router ${this.name}: birdc configure said: ${result.stdout.trim()}`,
      );
    }
  }

  private requireBgp(): RouterBgp {
    if (this.bgp === undefined)
      throw new SovhError('NO_BGP', `router ${this.name} does not speak BGP: give it options.asn`);
    return this.bgp;
  }

  private birdc(command: string) {
    return this.container.run(['sh', '-c', `birdc -s /run/bird/bird.ctl ${command}`], {
      timeoutMs: 10_000,
    });
  }
}

/** A running packet capture on a router. */
export class RouterCapture {
  private stopped: CaptureResult | undefined;

  constructor(
    private readonly container: StartedContainer,
    readonly name: string,
    private readonly base: string,
    readonly device: string,
    readonly filter: string,
  ) {}

  /** Ends the capture (tcpdump flushes on SIGINT) and reads what it saw. Idempotent. */
  async stop(): Promise<CaptureResult> {
    if (this.stopped !== undefined) return this.stopped;
    await this.container.run(
      [
        'sh',
        '-c',
        'pid=$(cat "$1.pid"); kill -INT "$pid" 2>/dev/null; i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done',
        'stop',
        this.base,
      ],
      { timeoutMs: 15_000 },
    );
    const summary = await this.container.run(
      ['sh', '-c', 'tcpdump -nn -tt -r "$1.pcap" 2>/dev/null; true', 'read', this.base],
      { timeoutMs: 30_000 },
    );
    const lines = summary.stdout.split('\n').filter((l) => l.trim() !== '');
    const pcap = await this.container.readFile(`${this.base}.pcap`);
    const log = await this.container.exec(['cat', `${this.base}.log`], { timeoutMs: 5_000 });
    this.stopped = {
      name: this.name,
      device: this.device,
      filter: this.filter,
      packets: lines.length,
      lines,
      pcap,
      droppedByKernel: droppedByKernel(log.stdout),
    };
    return this.stopped;
  }
}
