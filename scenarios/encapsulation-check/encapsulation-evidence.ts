import {
  etherTypes,
  formatIpv6,
  framesOf,
  isIpv6LinkLocalControl,
  ipProtocols,
  linkTypes,
  vxlanFrames,
  writePcap,
  type Frame,
} from '../../harness/checks/probes/pcap-packets.ts';
import { tcpStreams, type TcpStream } from '../../harness/checks/probes/pcap-streams.ts';
import { hostPorts } from '../../harness/contract/host-ports.ts';
import { storePort } from '../../harness/contract/site-file.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import { asRouter } from '../../sims/router/started-router.ts';
import { vxlanPort, type TunnelState } from '../../sims/router/vxlan-tunnel.ts';

/** A zone as the harness's topology declares it: the only source of what is domestic. */
export interface ZoneFacts {
  name: string;
  kind: string;
  jurisdiction: string;
  cidrs: string[];
}

/** The tunnels as the site routers' kernels have them, beside the topology's zones. */
export interface TunnelsObservation {
  zones: ZoneFacts[];
  routers: { router: string; tunnels: TunnelState[] }[];
}

/** Packets of one kind between two addresses in the underlay capture. */
export interface UnderlayFlow {
  /**
   * `vxlan` (UDP to 4789 with a VXLAN header), `ipv4` (anything else over IPv4), `arp`,
   * `ipv6-link-local` (an interface's neighbour discovery on the segment), `other`.
   */
  kind: 'vxlan' | 'ipv4' | 'arp' | 'ipv6-link-local' | 'other';
  source?: string;
  destination?: string;
  /** `tcp`, `udp`, `icmp` or the protocol number; the destination port for TCP and UDP. */
  protocol?: string;
  port?: number;
  vni?: number;
  /** The ethertype of an `other` frame (hex). */
  etherType?: string;
  packets: number;
}

/**
 * How the bytes of a stream toward the receiver's relay are sealed, as read off the wire; `unseen`
 * when the capture holds the request's header but no byte of its body (a packet the capture
 * missed: the receiver acknowledged it), which says nothing either way.
 */
export type Sealing = 'envelope' | 'tls' | 'clear' | 'unseen';

export interface RelayStream {
  source: string;
  destination: string;
  /** Whether the stream was seen inside a tunnel (decapsulated) or bare on the underlay. */
  where: 'inside-tunnel' | 'bare';
  bytes: number;
  sealedAs: Sealing;
  /** The first bytes of the body (Latin-1), for the report. */
  head: string;
}

export interface UnderlayCaptureObservation {
  router: string;
  device: string;
  packets: number;
  /** The positive control: a request the harness sent in clear from one site to the other. */
  canary: string;
  canarySeen: boolean;
  /** The canary was inside a VXLAN frame (the harness's site-to-site packet rode the tunnel). */
  canaryInTunnel: boolean;
  flows: UnderlayFlow[];
  /** The payloads the stack sent, and those whose bytes appear anywhere in the capture. */
  payloadIds: string[];
  payloadsInCapture: string[];
  relayStreams: RelayStream[];
  tcpdump: string[];
  /** What tcpdump said the kernel dropped before it read them (absent: it did not say). */
  droppedByKernel?: number;
}

/** The typed names of encapsulation-check's observations. */
export const observed = {
  tunnels: observationKey<TunnelsObservation>('site-tunnels'),
  capture: observationKey<UnderlayCaptureObservation>('underlay-capture'),
};

/** Reads each site router's tunnels from its kernel, and the topology's zones. */
export async function observeTunnels(
  context: ScenarioContext,
  routers: readonly string[],
): Promise<TunnelsObservation> {
  const zones = context.world.topology.zones.map((z) => ({
    name: z.name,
    kind: z.kind,
    jurisdiction: z.jurisdiction,
    cidrs: [...z.cidrs],
  }));
  const read = await Promise.all(
    routers.map(async (router) => ({
      router,
      tunnels: await asRouter(context.world.sim(router)).tunnels(),
    })),
  );
  return context.observe(observed.tunnels, { zones, routers: read });
}

const protocolNames: Record<number, string> = {
  [ipProtocols.icmp]: 'icmp',
  [ipProtocols.tcp]: 'tcp',
  [ipProtocols.udp]: 'udp',
};

/** Groups the capture's frames into flows (one line each in the report). */
export function underlayFlows(frames: readonly Frame[]): UnderlayFlow[] {
  const flows = new Map<string, UnderlayFlow>();
  const add = (key: string, flow: Omit<UnderlayFlow, 'packets'>) => {
    const entry = flows.get(key) ?? { ...flow, packets: 0 };
    entry.packets += 1;
    flows.set(key, entry);
  };
  for (const frame of frames) {
    const ip = frame.ipv4;
    if (ip === undefined) {
      if (frame.etherType === etherTypes.arp) add('arp', { kind: 'arp' });
      else if (frame.ipv6 !== undefined && isIpv6LinkLocalControl(frame.ipv6)) {
        const source = formatIpv6(frame.ipv6.source);
        const destination = formatIpv6(frame.ipv6.destination);
        add(`ipv6-link-local ${source}>${destination}`, {
          kind: 'ipv6-link-local',
          source,
          destination,
        });
      } else {
        const etherType = `0x${frame.etherType.toString(16).padStart(4, '0')}`;
        add(`other ${etherType}`, { kind: 'other', etherType });
      }
      continue;
    }
    const protocol = protocolNames[ip.protocol] ?? String(ip.protocol);
    const isVxlan =
      ip.protocol === ipProtocols.udp &&
      ip.destinationPort === vxlanPort &&
      ip.payload.length >= 8 &&
      ((ip.payload[0] ?? 0) & 0x08) !== 0;
    if (isVxlan) {
      const vni = ip.payload.readUInt32BE(4) >>> 8;
      add(`vxlan ${ip.source}>${ip.destination} ${vni}`, {
        kind: 'vxlan',
        source: ip.source,
        destination: ip.destination,
        protocol,
        port: vxlanPort,
        vni,
      });
      continue;
    }
    // A reply's destination port is ephemeral: the lower port names the service either way.
    const port =
      ip.sourcePort === undefined || ip.destinationPort === undefined
        ? undefined
        : Math.min(ip.sourcePort, ip.destinationPort);
    add(`ipv4 ${ip.source}>${ip.destination} ${protocol} ${String(port)}`, {
      kind: 'ipv4',
      source: ip.source,
      destination: ip.destination,
      protocol,
      ...(port === undefined ? {} : { port }),
    });
  }
  return [...flows.values()];
}

/** Reads how a client's stream to the relay is sealed: an envelope body, TLS records, or clear. */
export function sealingOf(payload: Buffer): { sealedAs: Sealing; head: string } {
  // TLS: a handshake record (type 22) of a TLS 1.x record layer opens the stream.
  if (payload[0] === 0x16 && payload[1] === 0x03)
    return { sealedAs: 'tls', head: payload.subarray(0, 16).toString('hex') };
  const headerEnd = payload.indexOf('\r\n\r\n');
  const body = headerEnd < 0 ? payload : payload.subarray(headerEnd + 4);
  if (body.length === 0) return { sealedAs: 'unseen', head: '' };
  return {
    sealedAs: body.subarray(0, 8).toString('latin1') === 'SOVENV1\n' ? 'envelope' : 'clear',
    head: body.subarray(0, 80).toString('latin1'),
  };
}

function relayStreamsOf(
  streams: readonly TcpStream[],
  receiver: string,
  where: RelayStream['where'],
): RelayStream[] {
  return streams
    .filter((s) => s.destination === receiver && s.destinationPort === hostPorts.envelopeRelay)
    .map((s) => ({
      source: `${s.source}:${s.sourcePort}`,
      destination: `${s.destination}:${s.destinationPort}`,
      where,
      bytes: s.payload.length,
      ...sealingOf(s.payload),
    }));
}

/** Reads an underlay capture: flows, the canary, the payloads, the relay streams in and out of tunnels. */
export function readUnderlayCapture(
  pcap: Buffer,
  options: { canary: string; receiver: string; payloads: readonly { id: string; text: string }[] },
) {
  const inner = vxlanFrames(pcap, vxlanPort);
  const innerPcap = writePcap(
    linkTypes.ethernet,
    inner.map((f) => f.frame),
  );
  return {
    flows: underlayFlows(framesOf(pcap)),
    canarySeen: pcap.includes(Buffer.from(options.canary)),
    canaryInTunnel: inner.some((f) => f.frame.includes(Buffer.from(options.canary))),
    payloadsInCapture: options.payloads
      .filter((p) => pcap.includes(Buffer.from(p.text)))
      .map((p) => p.id),
    relayStreams: [
      ...relayStreamsOf(tcpStreams(innerPcap), options.receiver, 'inside-tunnel'),
      ...relayStreamsOf(tcpStreams(pcap), options.receiver, 'bare'),
    ],
  };
}

/**
 * Runs the site-to-site traffic while the exchange router captures on every leg (all protocols):
 * first the positive control, a request the harness sends in clear from site A's observer to the
 * receiver at site B, and a request back from site B; then the stack's own traffic (`action`).
 */
export async function captureUnderlay(
  context: ScenarioContext,
  options: {
    router: string;
    from: { zone: string };
    receiver: HostVm;
    sender: HostVm;
    payloads: readonly { id: string; text: string }[];
  },
  action: () => Promise<unknown>,
): Promise<UnderlayCaptureObservation> {
  const { receiver, sender } = options;
  const router = asRouter(context.world.sim(options.router));
  const capture = await router.startCapture('underlay');
  const canary = `sovh-canary-${context.random.stream('underlay-canary').hex(8)}`;
  const curl = (url: string) => ['curl', '-s', '-m', '5', '-o', '/dev/null', url];
  try {
    await context.world
      .observer(options.from.zone)
      .exec(curl(`http://${receiver.address}:${storePort}/health?${canary}`), {
        timeoutMs: 15_000,
      });
    await context.world
      .observer(receiver.spec.zone)
      .exec(curl(`http://${sender.address}:${storePort}/health`), { timeoutMs: 15_000 });
    await action();
  } finally {
    await capture.stop();
  }
  const seen = await capture.stop();
  context.attach('underlay.pcap', seen.pcap, 'application/vnd.tcpdump.pcap', {
    description: `tcpdump on every leg of ${options.router} while the sites exchanged traffic`,
  });
  const read = readUnderlayCapture(seen.pcap, {
    canary,
    receiver: receiver.address,
    payloads: options.payloads,
  });
  return context.observe(observed.capture, {
    router: options.router,
    device: seen.device,
    packets: seen.packets,
    canary,
    ...read,
    payloadIds: options.payloads.map((p) => p.id),
    tcpdump: seen.lines.slice(0, 40),
    ...(seen.droppedByKernel === undefined ? {} : { droppedByKernel: seen.droppedByKernel }),
  });
}
