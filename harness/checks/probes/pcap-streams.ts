/**
 * Reads TCP payloads out of a capture file (classic pcap, as tcpdump -w writes it), so that checks
 * can look at what crossed a link byte for byte. Small on purpose: Ethernet, Linux cooked (v1 and
 * v2) and raw IP link types, IPv4, TCP; each direction of each connection reassembled by sequence
 * number, retransmissions counted once.
 */
import { ipProtocols, ipv4Offset, parseIpv4, readPcap } from './pcap-packets.ts';

export interface TcpStream {
  source: string;
  sourcePort: number;
  destination: string;
  destinationPort: number;
  /** The payload bytes in sequence order. */
  payload: Buffer;
  packets: number;
}

/** Every TCP stream (one direction of a connection) with a payload, in order of first appearance. */
export function tcpStreams(pcap: Buffer): TcpStream[] {
  const { linkType, packets } = readPcap(pcap);
  const segments = new Map<
    string,
    { stream: Omit<TcpStream, 'payload'>; bySeq: Map<number, Buffer> }
  >();
  for (const packet of packets) {
    const ip = ipv4Offset(linkType, packet);
    const parsed = ip === undefined ? undefined : parseIpv4(packet, ip);
    if (
      ip === undefined ||
      parsed === undefined ||
      parsed.protocol !== ipProtocols.tcp ||
      parsed.payload.length === 0 ||
      parsed.sourcePort === undefined ||
      parsed.destinationPort === undefined
    )
      continue;
    const { source, destination, sourcePort, destinationPort, payload } = parsed;
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
    const tcp = ip + ((packet[ip] ?? 0) & 0x0f) * 4;
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
