/**
 * Reads packets out of a capture file (classic pcap, as tcpdump -w writes it) and writes one: the
 * link types tcpdump gives on one interface (Ethernet) and on `any` (Linux cooked v1 and v2), and
 * raw IP. IPv4 with TCP and UDP ports, and VXLAN's inner frames, so that a check can see what an
 * underlay carried both outside and inside its tunnels.
 */

export const linkTypes = { ethernet: 1, raw: 101, linuxCooked: 113, linuxCooked2: 276 } as const;

export const etherTypes = { ipv4: 0x0800, arp: 0x0806, ipv6: 0x86dd } as const;

export const ipProtocols = { icmp: 1, tcp: 6, udp: 17 } as const;

export interface PcapFile {
  linkType: number;
  packets: Buffer[];
}

/** The records of a capture file, in order. */
export function readPcap(pcap: Buffer): PcapFile {
  if (pcap.length < 24) return { linkType: linkTypes.ethernet, packets: [] };
  const magic = pcap.readUInt32LE(0);
  const littleEndian = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!littleEndian && pcap.readUInt32BE(0) !== 0xa1b2c3d4 && pcap.readUInt32BE(0) !== 0xa1b23c4d) {
    throw new TypeError('not a pcap file (unknown magic number)');
  }
  const u32 = (at: number) => (littleEndian ? pcap.readUInt32LE(at) : pcap.readUInt32BE(at));
  const packets: Buffer[] = [];
  let at = 24;
  while (at + 16 <= pcap.length) {
    const captured = u32(at + 8);
    packets.push(pcap.subarray(at + 16, at + 16 + captured));
    at += 16 + captured;
  }
  return { linkType: u32(20), packets };
}

/**
 * When each record of a capture file was taken (epoch ms, fractional), in the order of
 * `readPcap(pcap).packets`: microsecond or nanosecond files, either byte order.
 */
export function packetTimes(pcap: Buffer): number[] {
  if (pcap.length < 24) return [];
  const magicLe = pcap.readUInt32LE(0);
  const magicBe = pcap.readUInt32BE(0);
  const littleEndian = magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d;
  if (!littleEndian && magicBe !== 0xa1b2c3d4 && magicBe !== 0xa1b23c4d)
    throw new TypeError('not a pcap file (unknown magic number)');
  const nanoseconds = (littleEndian ? magicLe : magicBe) === 0xa1b23c4d;
  const u32 = (at: number) => (littleEndian ? pcap.readUInt32LE(at) : pcap.readUInt32BE(at));
  const times: number[] = [];
  let at = 24;
  while (at + 16 <= pcap.length) {
    const fraction = u32(at + 4);
    times.push(u32(at) * 1_000 + (nanoseconds ? fraction / 1e6 : fraction / 1e3));
    at += 16 + u32(at + 8);
  }
  return times;
}

/** A packet of a capture to write: when it was seen, and how much of it the capture kept. */
export interface PcapRecord {
  frame: Buffer;
  /** Epoch milliseconds; 0 when not given. */
  atMs?: number;
  /** Bytes of the frame the capture kept (a snap length cut it short); all when not given. */
  keptBytes?: number;
}

/** A capture file of the given packets (microsecond timestamps). */
export function writePcap(linkType: number, packets: readonly (Buffer | PcapRecord)[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(linkType, 20);
  const records = packets.flatMap((packet) => {
    const { frame, atMs = 0, keptBytes } = Buffer.isBuffer(packet) ? { frame: packet } : packet;
    const kept = frame.subarray(0, keptBytes ?? frame.length);
    const record = Buffer.alloc(16);
    record.writeUInt32LE(Math.floor(atMs / 1000), 0);
    record.writeUInt32LE((atMs % 1000) * 1000, 4);
    record.writeUInt32LE(kept.length, 8);
    record.writeUInt32LE(frame.length, 12);
    return [record, kept];
  });
  return Buffer.concat([header, ...records]);
}

/** The ethertype of a link-layer frame and where its payload starts; undefined when unreadable. */
export function networkLayer(
  linkType: number,
  packet: Buffer,
): { etherType: number; offset: number } | undefined {
  switch (linkType) {
    case linkTypes.ethernet:
      return packet.length >= 14 ? { etherType: packet.readUInt16BE(12), offset: 14 } : undefined;
    case linkTypes.linuxCooked:
      return packet.length >= 16 ? { etherType: packet.readUInt16BE(14), offset: 16 } : undefined;
    case linkTypes.linuxCooked2:
      return packet.length >= 20 ? { etherType: packet.readUInt16BE(0), offset: 20 } : undefined;
    case linkTypes.raw: {
      const version = (packet[0] ?? 0) >> 4;
      return {
        etherType: version === 6 ? etherTypes.ipv6 : etherTypes.ipv4,
        offset: 0,
      };
    }
    default:
      return undefined;
  }
}

/** Where the IPv4 header of a frame starts, or undefined for anything else. */
export function ipv4Offset(linkType: number, packet: Buffer): number | undefined {
  const layer = networkLayer(linkType, packet);
  return layer?.etherType === etherTypes.ipv4 ? layer.offset : undefined;
}

export interface Ipv4Packet {
  source: string;
  destination: string;
  protocol: number;
  /** A fragment other than the first carries no transport header: no ports. */
  fragment: boolean;
  sourcePort?: number;
  destinationPort?: number;
  /** The transport payload (TCP or UDP data); empty for other protocols. */
  payload: Buffer;
}

function address(bytes: Buffer, at: number): string {
  return [0, 1, 2, 3].map((i) => bytes[at + i] ?? 0).join('.');
}

/** The IPv4 packet starting at `ip` in a frame. */
export function parseIpv4(packet: Buffer, ip: number): Ipv4Packet | undefined {
  if (packet.length < ip + 20 || (packet[ip] ?? 0) >> 4 !== 4) return undefined;
  const headerLength = ((packet[ip] ?? 0) & 0x0f) * 4;
  const totalLength = packet.readUInt16BE(ip + 2);
  const end = Math.min(packet.length, ip + totalLength);
  const protocol = packet[ip + 9] ?? 0;
  const fragmentOffset = packet.readUInt16BE(ip + 6) & 0x1fff;
  const base = {
    source: address(packet, ip + 12),
    destination: address(packet, ip + 16),
    protocol,
    fragment: fragmentOffset !== 0,
  };
  const transport = ip + headerLength;
  if (base.fragment || packet.length < transport + 8) return { ...base, payload: Buffer.alloc(0) };
  const ports = {
    sourcePort: packet.readUInt16BE(transport),
    destinationPort: packet.readUInt16BE(transport + 2),
  };
  if (protocol === ipProtocols.udp)
    return { ...base, ...ports, payload: packet.subarray(transport + 8, end) };
  if (protocol === ipProtocols.tcp && packet.length >= transport + 20) {
    const tcpHeader = ((packet[transport + 12] ?? 0) >> 4) * 4;
    return { ...base, ...ports, payload: packet.subarray(transport + tcpHeader, end) };
  }
  return { ...base, payload: Buffer.alloc(0) };
}

/** One frame of a capture: its ethertype and, for IPv4, the packet. */
export interface Frame {
  etherType: number;
  ipv4?: Ipv4Packet;
  /** The addresses of an IPv6 frame; nothing else of it is read. */
  ipv6?: Ipv6Addresses;
}

export interface Ipv6Addresses {
  source: Buffer;
  destination: Buffer;
}

/**
 * Neighbour discovery and multicast-listener chatter of an interface coming up (router and
 * neighbour solicitations, MLD reports): from a link-local or unspecified address to a link-scope
 * multicast group. It cannot leave the segment and carries no data of anyone's.
 */
export function isIpv6LinkLocalControl(ipv6: Ipv6Addresses): boolean {
  const { source, destination } = ipv6;
  const linkLocalSource =
    ((source[0] ?? 0) === 0xfe && ((source[1] ?? 0) & 0xc0) === 0x80) ||
    source.every((byte) => byte === 0);
  const linkScopeMulticast = (destination[0] ?? 0) === 0xff && ((destination[1] ?? 0) & 0x0f) === 2;
  return linkLocalSource && linkScopeMulticast;
}

/** An IPv6 address as eight groups of hex (uncompressed). */
export function formatIpv6(address: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i + 1 < address.length; i += 2) groups.push(address.readUInt16BE(i).toString(16));
  return groups.join(':');
}

/** Every frame of a capture; frames of unknown link layers have ethertype -1. */
export function framesOf(pcap: Buffer): Frame[] {
  const { linkType, packets } = readPcap(pcap);
  return packets.map((packet) => {
    const layer = networkLayer(linkType, packet);
    if (layer === undefined) return { etherType: -1 };
    if (layer.etherType === etherTypes.ipv6 && packet.length >= layer.offset + 40)
      return {
        etherType: layer.etherType,
        ipv6: {
          source: packet.subarray(layer.offset + 8, layer.offset + 24),
          destination: packet.subarray(layer.offset + 24, layer.offset + 40),
        },
      };
    if (layer.etherType !== etherTypes.ipv4) return { etherType: layer.etherType };
    const ipv4 = parseIpv4(packet, layer.offset);
    return ipv4 === undefined
      ? { etherType: layer.etherType }
      : { etherType: layer.etherType, ipv4 };
  });
}

/** One frame carried in a VXLAN packet of a capture. */
export interface VxlanFrame {
  vni: number;
  outerSource: string;
  outerDestination: string;
  /** The inner Ethernet frame. */
  frame: Buffer;
}

/** The inner frames of the UDP packets to `port` that carry a valid VXLAN header (I flag set). */
export function vxlanFrames(pcap: Buffer, port: number): VxlanFrame[] {
  return framesOf(pcap).flatMap((f) => {
    const ip = f.ipv4;
    if (ip?.protocol !== ipProtocols.udp || ip.destinationPort !== port) return [];
    if (ip.payload.length < 8 + 14 || ((ip.payload[0] ?? 0) & 0x08) === 0) return [];
    return [
      {
        vni: ip.payload.readUInt32BE(4) >>> 8,
        outerSource: ip.source,
        outerDestination: ip.destination,
        frame: ip.payload.subarray(8),
      },
    ];
  });
}
