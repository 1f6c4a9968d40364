import {
  icmpEcho,
  udpSend,
  type DatagramProbe,
} from '../../harness/checks/probes/datagram-probe.ts';
import { tcpConnect } from '../../harness/checks/probes/tcp-probe.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { World } from '../../harness/world/world.ts';

/** One packet (or connection) the harness sent on purpose, to prove a listener or capture sees it. */
export interface ControlPacket {
  proto: 'tcp' | 'udp' | 'icmp';
  /** The listener it was meant for. */
  endpoint: string;
  address: string;
  /** The TCP or UDP port; 0 for ICMP. */
  port: number;
  /** Its sender's own view: the kernel took it (and, where there is one, the answer came). */
  sent: boolean;
  detail: string;
}

/** The harness's positive control: what a zone's observer sent to the listeners, and from where. */
export interface ControlTraffic {
  phase: string;
  /** The observer that sent it, and its address (from the harness's own topology). */
  from: string;
  source: string;
  packets: ControlPacket[];
}

export const controlTraffic = observationKey<ControlTraffic>('control-traffic');

/**
 * Datagrams per UDP port and echo requests per ICMP-recording listener: any one recorded proves
 * the listener sees that protocol. One alone was lost on its first trip through the routers in a
 * few runs, for ICMP and then for UDP, and left a run "unknown" (docs/reliability.md).
 */
const controlRepeats = 3;

/** The address of a zone's observer, from the world's own plan (never from a stack's file). */
export function observerAddress(world: World, zone: string): string {
  const node = world.describe().nodes.find((n) => n.role === 'observer' && n.zone === zone);
  if (node === undefined) throw new Error(`no observer in zone ${zone}`);
  return node.address;
}

export interface ListenerTarget {
  endpoint: string;
  address: string;
  tcpPorts: readonly number[];
  udpPorts: readonly number[];
  icmp: boolean;
}

/**
 * Sends, from a zone's observer (a harness container, not the stack), one TCP connection to each
 * TCP port, three datagrams to each UDP port and three echo requests to each ICMP-recording listener,
 * across the same routers a leak from the zone's hosts would take. A listener or capture that
 * then shows none of them proves nothing by its silence.
 */
export async function sendControlTraffic(
  context: ScenarioContext,
  zone: string,
  phase: string,
  targets: readonly ListenerTarget[],
  /** The observer's address the listeners will see: its IPv6 one when the targets are IPv6. */
  source: string = observerAddress(context.world, zone),
): Promise<ControlTraffic> {
  const observer = context.world.observer(zone);
  const fromDatagram = (endpoint: string, port: number, p: DatagramProbe): ControlPacket => ({
    proto: p.proto,
    endpoint,
    // "address:port" for UDP, the address alone for ICMP; an IPv6 address has colons of its own.
    address: p.proto === 'udp' ? p.target.slice(0, p.target.lastIndexOf(':')) : p.target,
    port,
    sent: p.sent,
    detail: p.detail,
  });
  const packets = await Promise.all(
    targets.flatMap((t) => [
      ...t.tcpPorts.map(async (port): Promise<ControlPacket> => {
        const probe = await tcpConnect(observer, t.address, port, 3);
        return {
          proto: 'tcp',
          endpoint: t.endpoint,
          address: t.address,
          port,
          sent: probe.connected,
          detail: probe.detail,
        };
      }),
      ...t.udpPorts.map(async (port) =>
        fromDatagram(
          t.endpoint,
          port,
          await udpSend(observer, t.address, port, 'sovh-control', 2, controlRepeats),
        ),
      ),
      ...(t.icmp
        ? [
            icmpEcho(observer, t.address, 2, controlRepeats).then((p) =>
              fromDatagram(t.endpoint, 0, p),
            ),
          ]
        : []),
    ]),
  );
  return context.observe(controlTraffic, {
    phase,
    from: observer.nodeName,
    source,
    packets,
  });
}
