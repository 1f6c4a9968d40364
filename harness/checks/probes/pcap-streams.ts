/**
 * Reads TCP payloads out of a capture file (classic pcap, as tcpdump -w writes it), so that checks
 * can look at what crossed a link byte for byte. Small on purpose: Ethernet, Linux cooked (v1 and
 * v2) and raw IP link types, IPv4, TCP; each direction of each connection reassembled by sequence
 * number, retransmissions counted once.
 */

export interface TcpStream {
  source: string;
  sourcePort: number;
  destination: string;
  destinationPort: number;
  /** The payload bytes in sequence order. */
  payload: Buffer;
  packets: number;
}

const linkTypes = { ethernet: 1, raw: 101, linuxCooked: 113, linuxCooked2: 276 } as const;

function ipv4Offset(linkType: number, packet: Buffer): number | undefined {
  switch (linkType) {
    case linkTypes.ethernet:
      return packet.length >= 14 && packet.readUInt16BE(12) === 0x0800 ? 14 : undefined;
    case linkTypes.linuxCooked:
      return packet.length >= 16 && packet.readUInt16BE(14) === 0x0800 ? 16 : undefined;
    case linkTypes.linuxCooked2:
      return packet.length >= 20 && packet.readUInt16BE(0) === 0x0800 ? 20 : undefined;
    case linkTypes.raw:
      return 0;
    default:
      return undefined;
  }
}

function address(bytes: Buffer, at: number): string {
  return [0, 1, 2, 3].map((i) => bytes[at + i] ?? 0).join('.');
}

/** Every TCP stream (one direction of a connection) with a payload, in order of first appearance. */
export function tcpStreams(pcap: Buffer): TcpStream[] {
  if (pcap.length < 24) return [];
  const magic = pcap.readUInt32LE(0);
  const littleEndian = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!littleEndian && pcap.readUInt32BE(0) !== 0xa1b2c3d4 && pcap.readUInt32BE(0) !== 0xa1b23c4d) {
    throw new TypeError('not a pcap file (unknown magic number)');
  }
  const u32 = (at: number) => (littleEndian ? pcap.readUInt32LE(at) : pcap.readUInt32BE(at));
  const linkType = u32(20);
  const segments = new Map<
    string,
    { stream: Omit<TcpStream, 'payload'>; bySeq: Map<number, Buffer> }
  >();
  let at = 24;
  while (at + 16 <= pcap.length) {
    const captured = u32(at + 8);
    const packet = pcap.subarray(at + 16, at + 16 + captured);
    at += 16 + captured;
    const ip = ipv4Offset(linkType, packet);
    if (
      ip === undefined ||
      packet.length < ip + 20 ||
      (packet[ip] ?? 0) >> 4 !== 4 ||
      packet[ip + 9] !== 6
    )
      continue;
    const ipHeader = ((packet[ip] ?? 0) & 0x0f) * 4;
    const totalLength = packet.readUInt16BE(ip + 2);
    const tcp = ip + ipHeader;
    if (packet.length < tcp + 20) continue;
    const tcpHeader = ((packet[tcp + 12] ?? 0) >> 4) * 4;
    const payload = packet.subarray(tcp + tcpHeader, Math.min(packet.length, ip + totalLength));
    if (payload.length === 0) continue;
    const source = address(packet, ip + 12);
    const destination = address(packet, ip + 16);
    const sourcePort = packet.readUInt16BE(tcp);
    const destinationPort = packet.readUInt16BE(tcp + 2);
    const key = `${source}:${sourcePort}>${destination}:${destinationPort}`;
    let entry = segments.get(key);
    if (entry === undefined) {
      entry = {
        stream: { source, sourcePort, destination, destinationPort, packets: 0 },
        bySeq: new Map(),
      };
      segments.set(key, entry);
    }
    entry.stream.packets += 1;
    const seq = packet.readUInt32BE(tcp + 4);
    if (!entry.bySeq.has(seq)) entry.bySeq.set(seq, Buffer.from(payload));
  }
  return [...segments.values()].map(({ stream, bySeq }) => ({
    ...stream,
    payload: Buffer.concat(
      [...bySeq.entries()].sort((a, b) => a[0] - b[0]).map(([, bytes]) => bytes),
    ),
  }));
}
