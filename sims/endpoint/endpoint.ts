import { z } from 'zod';
import type { StartedContainer } from '../../harness/runtime/started-container.ts';
import type { PlacedHost } from '../../harness/topology/topology-validator.ts';
import { addressInAnyCidr } from '../../harness/util/address-in-cidrs.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import { applyStaticRoutes } from '../../harness/world/static-routes.ts';
import { simImage } from '../images.ts';
import type { SimKind, StartedSim, StaticRoute } from '../sim-kind.ts';

const port = z.number().int().min(1).max(65_535);

export const endpointOptions = z
  .object({
    /** TCP ports the endpoint accepts (and records) connections on. */
    tcpPorts: z.array(port).default([443]),
    /** UDP ports it records datagrams on (and answers). */
    udpPorts: z.array(port).default([]),
    /** Record every ICMP message it receives (echo requests included; the kernel answers them). */
    icmp: z.boolean().default(false),
    /** Also serve iperf3 (port 5201) for throughput measurements. */
    iperf: z.boolean().default(false),
    /**
     * Hosts of these zones find the endpoint in their site file as a named sovereign API on 443
     * (`sovereignApis`): an endpoint outside the domestic CIDRs that egress must still reach.
     */
    sovereignApiFor: z.array(z.string()).default([]),
  })
  .strict();

export type EndpointOptions = z.output<typeof endpointOptions>;

/** One connection (TCP), datagram (UDP) or ICMP message the endpoint received, as it wrote it down. */
export interface EndpointConnection {
  at: string;
  proto: 'tcp' | 'udp' | 'icmp';
  /** The TCP or UDP port; 0 for ICMP. */
  port: number;
  peer: string;
  peerPort: number;
  /** ICMP only: the message's type (8: echo request) and code. */
  icmpType?: number;
  icmpCode?: number;
}

export const iperfPort = 5201;
/** The port of a named sovereign API (CONTRACT.md, sovereignApis). */
export const sovereignApiPort = 443;
const connectionLog = '/var/log/endpoint/connections.jsonl';
const readyTimeoutMs = 15_000;

export function asEndpoint(sim: StartedSim): StartedEndpoint {
  if (!(sim instanceof StartedEndpoint)) {
    throw new SovhError(
      'NOT_AN_ENDPOINT',
      `simulator "${sim.name}" is a ${sim.kind}, not an endpoint`,
    );
  }
  return sim;
}

/** A running endpoint: what it received is read from its own record, never from the stack under test. */
export class StartedEndpoint implements StartedSim {
  readonly kind = 'endpoint';

  constructor(
    readonly name: string,
    readonly address: string,
    readonly container: StartedContainer,
    readonly options: EndpointOptions,
    readonly facts: Record<string, string>,
  ) {}

  siteSection(host: PlacedHost): Record<string, unknown> {
    if (!this.options.sovereignApiFor.includes(host.zone)) return {};
    return { sovereignApis: [{ name: this.name, address: this.address, port: sovereignApiPort }] };
  }

  async addRoutes(routes: readonly StaticRoute[]): Promise<void> {
    await applyStaticRoutes(this.container, routes);
  }

  /** Every connection and datagram received so far, oldest first. */
  async connections(): Promise<EndpointConnection[]> {
    const result = await this.container.exec(['cat', connectionLog], { timeoutMs: 10_000 });
    if (result.exitCode !== 0) return [];
    return result.stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as EndpointConnection);
  }

  /** The connections whose source lies in one of the CIDRs (e.g. a zone's), IPv4 or IPv6. */
  async connectionsFrom(cidrs: readonly string[]): Promise<EndpointConnection[]> {
    return (await this.connections()).filter((c) => addressInAnyCidr(c.peer, cidrs));
  }
}

/**
 * The endpoint kind: a listener that records every connection it receives (a foreign cloud API, a
 * foreign KMS, a domestic service), optionally with an iperf3 server. See README.md.
 */
export const endpointKind: SimKind<EndpointOptions> = {
  kind: 'endpoint',
  description:
    'Listener that records every connection and datagram it receives; optional iperf3 server',
  image: simImage('endpoint'),
  options: endpointOptions,
  async start({ session, image, service, network }) {
    const { options } = service;
    const command = [
      'endpoint-listener',
      service.name,
      connectionLog,
      '--tcp',
      options.tcpPorts.join(','),
      '--udp',
      options.udpPorts.join(','),
      '--icmp',
      options.icmp ? 'yes' : 'no',
      '--ipv6',
      network.subnet6 === undefined ? 'no' : 'yes',
    ];
    const container = await session
      .container(image, service.name)
      .withNode(service.name, 'endpoint')
      .withCommandChannel()
      .withNetwork(network.name, network.address, [service.name])
      // NET_ADMIN: the world gives it routes back to the zones that reach it. NET_RAW: the raw
      // socket that records ICMP (named, not left to the engine's defaults).
      .withCapabilities('NET_ADMIN', 'NET_RAW')
      .withInit()
      .withCommand([
        'sh',
        '-c',
        `${options.iperf ? 'iperf3 -s -D && ' : ''}exec "$@"`,
        'endpoint',
        ...command,
      ])
      .withStartupCheck((c) =>
        c.waitForLog(/^ENDPOINT_READY /, readyTimeoutMs).then(() => undefined),
      )
      .start();
    // The engine's default route leads to the engine host; only the topology's routes lead anywhere.
    await container.exec(['ip', 'route', 'del', 'default'], { timeoutMs: 5_000 });
    if (network.subnet6 !== undefined)
      await container.exec(['ip', '-6', 'route', 'del', 'default'], { timeoutMs: 5_000 });
    return new StartedEndpoint(service.name, network.address, container, options, {
      tcp: options.tcpPorts.join(',') || '-',
      udp: options.udpPorts.join(',') || '-',
      icmp: options.icmp ? 'recorded' : 'no',
      iperf: options.iperf ? String(iperfPort) : 'no',
      ipv6: network.subnet6 === undefined ? 'no' : `listening too (${network.subnet6})`,
    });
  },
};
