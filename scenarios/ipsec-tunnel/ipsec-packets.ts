import {
  etherTypes,
  ipProtocols,
  networkLayer,
  parseIpv4,
  readPcap,
} from '../../harness/checks/probes/pcap-packets.ts';
import { addressInCidr, mustParseCidr, parseAddress } from '../../harness/util/cidr.ts';

/** IANA's protocol number for ESP (RFC 4303): what sealed site traffic is on the wire. */
export const espProtocol = 50;

/**
 * Packets of one kind between two addresses in the exchange's capture: `esp` (IP protocol 50,
 * with the SPI that names its SA), `clear` (any other IPv4 packet), `other` (not IPv4: ARP,
 * IPv6 neighbour discovery, which carry no site's data).
 */
export interface Crossing {
  kind: 'esp' | 'clear' | 'other';
  source?: string;
  destination?: string;
  /** `tcp`, `udp`, `icmp`, `esp` or the protocol number. */
  protocol?: string;
  /** The SPI of an ESP packet, as ip xfrm prints it ("0x00001001"). */
  spi?: string;
  /** The ethertype of an `other` frame (hex). */
  etherType?: string;
  packets: number;
}

const protocolNames: Record<number, string> = {
  [ipProtocols.icmp]: 'icmp',
  [ipProtocols.tcp]: 'tcp',
  [ipProtocols.udp]: 'udp',
  [espProtocol]: 'esp',
};

/** What the capture holds, grouped; and whether the harness's clear canary is in it. */
export interface ExchangeCrossings {
  crossings: Crossing[];
  canarySeen: boolean;
}

/**
 * Reads a capture of the exchange (any link type tcpdump writes on `-i any` or one interface)
 * into crossings, one entry per kind, pair of addresses and SPI.
 */
export function readCrossings(pcap: Buffer, canary: string): ExchangeCrossings {
  const { linkType, packets } = readPcap(pcap);
  const crossings = new Map<string, Crossing>();
  const add = (key: string, crossing: Omit<Crossing, 'packets'>) => {
    const entry = crossings.get(key) ?? { ...crossing, packets: 0 };
    entry.packets += 1;
    crossings.set(key, entry);
  };
  for (const packet of packets) {
    const layer = networkLayer(linkType, packet);
    const ip = layer?.etherType === etherTypes.ipv4 ? parseIpv4(packet, layer.offset) : undefined;
    if (layer === undefined || ip === undefined) {
      const etherType = `0x${(layer?.etherType ?? 0).toString(16).padStart(4, '0')}`;
      add(`other ${etherType}`, { kind: 'other', etherType });
      continue;
    }
    const protocol = protocolNames[ip.protocol] ?? String(ip.protocol);
    if (ip.protocol === espProtocol) {
      const at = layer.offset + ((packet[layer.offset] ?? 0) & 0x0f) * 4;
      const spi =
        packet.length >= at + 4
          ? `0x${packet.readUInt32BE(at).toString(16).padStart(8, '0')}`
          : '?';
      add(`esp ${ip.source}>${ip.destination} ${spi}`, {
        kind: 'esp',
        source: ip.source,
        destination: ip.destination,
        protocol,
        spi,
      });
      continue;
    }
    add(`clear ${ip.source}>${ip.destination} ${protocol}`, {
      kind: 'clear',
      source: ip.source,
      destination: ip.destination,
      protocol,
    });
  }
  return { crossings: [...crossings.values()], canarySeen: pcap.includes(Buffer.from(canary)) };
}

/** Whether an address lies in one of the ranges. */
export function inRanges(address: string | undefined, ranges: readonly string[]): boolean {
  const value = address === undefined ? undefined : parseAddress(address);
  return value !== undefined && ranges.some((r) => addressInCidr(value, mustParseCidr(r)));
}

/** A crossing from one site's ranges to the other's, in either direction. */
export function betweenSites(
  crossing: Pick<Crossing, 'source' | 'destination'>,
  siteA: readonly string[],
  siteB: readonly string[],
): boolean {
  const { source, destination } = crossing;
  return (
    (inRanges(source, siteA) && inRanges(destination, siteB)) ||
    (inRanges(source, siteB) && inRanges(destination, siteA))
  );
}

/** One line for a crossing in a report: "esp 10.53.0.3 > 10.54.0.3 spi 0x00001001: 4". */
export function describeCrossing(crossing: Crossing): string {
  if (crossing.kind === 'other')
    return `ethertype ${crossing.etherType ?? '?'}: ${crossing.packets}`;
  const spi = crossing.spi === undefined ? '' : ` spi ${crossing.spi}`;
  return `${crossing.protocol ?? '?'} ${crossing.source ?? '?'} > ${crossing.destination ?? '?'}${spi}: ${crossing.packets}`;
}
