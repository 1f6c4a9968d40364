/** A TCP segment to build as an Ethernet frame for a test capture. */
export interface TcpSegment {
  source: readonly [number, number, number, number];
  destination: readonly [number, number, number, number];
  sourcePort: number;
  destinationPort: number;
  sequence: number;
  /** TCP flags (SYN 0x02, PSH 0x08, ACK 0x10); PSH and ACK when not given. */
  flags?: number;
  payload?: Buffer;
}

/** An Ethernet frame of an IPv4 TCP segment, as tcpdump captures it on a Linux loopback. */
export function ethernetTcpFrame(segment: TcpSegment): Buffer {
  const payload = segment.payload ?? Buffer.alloc(0);
  const ethernet = Buffer.alloc(14);
  ethernet.writeUInt16BE(0x0800, 12);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + 20 + payload.length, 2);
  ip[9] = 6;
  Buffer.from(segment.source).copy(ip, 12);
  Buffer.from(segment.destination).copy(ip, 16);
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(segment.sourcePort, 0);
  tcp.writeUInt16BE(segment.destinationPort, 2);
  tcp.writeUInt32BE(segment.sequence >>> 0, 4);
  tcp[12] = 5 << 4;
  tcp[13] = segment.flags ?? 0x18;
  return Buffer.concat([ethernet, ip, tcp, payload]);
}
