import { z } from 'zod';
import type { StartedContainer } from '../../harness/runtime/started-container.ts';
import type { PlacedHost } from '../../harness/topology/topology-validator.ts';
import { addressInAnyCidr } from '../../harness/util/address-in-cidrs.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import { applyStaticRoutes } from '../../harness/world/static-routes.ts';
import { simImage } from '../images.ts';
import type { SimKind, StartedSim, StaticRoute } from '../sim-kind.ts';
import {
  parseQueryLog,
  queryLog,
  unboundConfig,
  unboundConfigPath,
  type ResolverQuery,
} from './unbound-config.ts';

const dnsName = z
  .string()
  .regex(/^([a-z0-9-]+\.)+[a-z0-9-]+\.?$/i, 'use a DNS name such as api.sovereign.example');
const ipv4 = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, 'use an IPv4 address');

export const resolverOptions = z
  .object({
    /** A sovereign resolver is named in the hosts' site files (`dnsServers`); a global one is not. */
    role: z.enum(['sovereign', 'global']),
    /** The names it answers (A records); every other name gets NXDOMAIN. */
    records: z.record(dnsName, ipv4).default({}),
    /**
     * Listed in the hosts' site files as a DNS server (`dnsServers`), as a network's DHCP would
     * offer it. By default only a sovereign resolver is; offering a global one tests that the
     * stack refuses a resolver outside the jurisdiction.
     */
    offered: z.boolean().optional(),
    /**
     * The address family it is offered by (default ipv4): `ipv6` names its IPv6 address in the
     * site files, as a router advertisement's RDNSS option would. Its zone needs an IPv6 range.
     */
    offeredOver: z.enum(['ipv4', 'ipv6']).default('ipv4'),
  })
  .strict();

export type ResolverOptions = z.output<typeof resolverOptions>;

const readyTimeoutMs = 15_000;

export function asResolver(sim: StartedSim): StartedResolver {
  if (!(sim instanceof StartedResolver)) {
    throw new SovhError(
      'NOT_A_RESOLVER',
      `simulator "${sim.name}" is a ${sim.kind}, not a resolver`,
    );
  }
  return sim;
}

/** A running resolver; what it received is read from its own query log. */
export class StartedResolver implements StartedSim {
  readonly kind = 'resolver';

  constructor(
    readonly name: string,
    readonly address: string,
    readonly container: StartedContainer,
    readonly role: ResolverOptions['role'],
    readonly offered: boolean,
    /** The address the site files name it by, and that a client asks: IPv4 or IPv6. */
    readonly offeredAddress: string,
    readonly facts: Record<string, string>,
    /** The firewalls of the families it answers on: an outage must silence it on each. */
    private readonly firewalls: readonly ('iptables' | 'ip6tables')[] = ['iptables'],
  ) {}

  siteSection(_host: PlacedHost): Record<string, unknown> {
    return this.offered ? { dnsServers: [{ name: this.name, address: this.offeredAddress }] } : {};
  }

  async addRoutes(routes: readonly StaticRoute[]): Promise<void> {
    await applyStaticRoutes(this.container, routes);
  }

  /**
   * An outage: from now on no query reaches unbound (port 53 dropped in the resolver's own
   * namespace, as a dead or cut-off resolver looks to its clients: no answer at all). Queries
   * that do not arrive are not in the query log either. `answerAgain` ends it.
   */
  async stopAnswering(): Promise<void> {
    await this.container.sh(
      this.firewalls
        .map(
          (t) =>
            `${t} -N SOVH_OUTAGE 2>/dev/null; ${t} -F SOVH_OUTAGE && ` +
            `${t} -A SOVH_OUTAGE -p udp --dport 53 -j DROP && ` +
            `${t} -A SOVH_OUTAGE -p tcp --dport 53 -j DROP && ` +
            `(${t} -C INPUT -j SOVH_OUTAGE 2>/dev/null || ${t} -I INPUT -j SOVH_OUTAGE)`,
        )
        .join(' && '),
      { timeoutMs: 10_000 },
    );
  }

  async answerAgain(): Promise<void> {
    await this.container.sh(
      this.firewalls.map((t) => `${t} -F SOVH_OUTAGE 2>/dev/null`).join('; ') + '; true',
      { timeoutMs: 10_000 },
    );
  }

  /** Every query received so far, oldest first. */
  async queries(): Promise<ResolverQuery[]> {
    const result = await this.container.exec(['cat', queryLog], { timeoutMs: 10_000 });
    return result.exitCode === 0 ? parseQueryLog(result.stdout) : [];
  }

  /** The queries whose client lies in one of the CIDRs (e.g. the sovereign zone's), IPv4 or IPv6. */
  async queriesFrom(cidrs: readonly string[]): Promise<ResolverQuery[]> {
    return (await this.queries()).filter((q) => addressInAnyCidr(q.client, cidrs));
  }
}

/**
 * Refuses a resolver offered over IPv6 in a zone without an IPv6 range (it would get no IPv6
 * address to be offered by), before anything starts.
 */
export function assertOfferable(
  name: string,
  zone: string,
  offeredOver: ResolverOptions['offeredOver'],
  dualStack: boolean,
): void {
  if (offeredOver === 'ipv6' && !dualStack) {
    throw new SovhError(
      'RESOLVER_WITHOUT_IPV6',
      `resolver ${name} is offered over IPv6, but its zone ${zone} has no IPv6 range: give the zone ipv6Cidrs, or offer it over ipv4`,
    );
  }
}

/** The container's IPv6 address on a network, as the engine assigned it at start. */
async function ipv6AddressOn(
  container: StartedContainer,
  network: string,
  name: string,
): Promise<string> {
  const address = (await container.ipv6Addresses()).get(network);
  if (address === undefined)
    throw new SovhError(
      'RESOLVER_WITHOUT_IPV6',
      `resolver ${name} got no IPv6 address on network ${network}: is the engine's IPv6 support on (docs/network-residency.md)?`,
    );
  return address;
}

/** The resolver kind: unbound answering from fixed records and logging every query. See README.md. */
export const resolverKind: SimKind<ResolverOptions> = {
  kind: 'resolver',
  description:
    'DNS resolver (unbound): answers from fixed records only, logs every query; sovereign or global',
  image: simImage('resolver'),
  options: resolverOptions,
  async start({ session, image, service, network }) {
    const dualStack = network.subnet6 !== undefined;
    assertOfferable(service.name, service.zone, service.options.offeredOver, dualStack);
    const container = await session
      .container(image, service.name)
      .withNode(service.name, 'resolver')
      .withNetwork(network.name, network.address, [service.name])
      // NET_ADMIN: the world gives it routes back to the zones that query it.
      .withCapabilities('NET_ADMIN')
      .withFile(unboundConfigPath, unboundConfig(service.options.records, dualStack))
      .withInit()
      .withCommand(['unbound', '-d', '-c', unboundConfigPath])
      .withStartupCheck((c) =>
        c.waitForCommand(['grep', '-q', 'start of service', queryLog], readyTimeoutMs),
      )
      .start();
    await container.exec(['ip', 'route', 'del', 'default'], { timeoutMs: 5_000 });
    if (dualStack)
      await container.exec(['ip', '-6', 'route', 'del', 'default'], { timeoutMs: 5_000 });
    const offered = service.options.offered ?? service.options.role === 'sovereign';
    const offeredAddress =
      service.options.offeredOver === 'ipv6'
        ? await ipv6AddressOn(container, network.name, service.name)
        : network.address;
    return new StartedResolver(
      service.name,
      network.address,
      container,
      service.options.role,
      offered,
      offeredAddress,
      {
        role: service.options.role,
        offered: offered ? `as ${offeredAddress}` : 'no',
        records: String(Object.keys(service.options.records).length),
      },
      dualStack ? ['iptables', 'ip6tables'] : ['iptables'],
    );
  },
};
