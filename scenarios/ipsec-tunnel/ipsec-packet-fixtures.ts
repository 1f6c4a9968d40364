import { linkTypes, writePcap } from '../../harness/checks/probes/pcap-packets.ts';
import { espProtocol } from './ipsec-packets.ts';

/**
 * Packets as the exchange's capture holds them, built byte by byte for the unit tests: IPv4 in
 * Linux cooked frames (what tcpdump writes on `-i any`), carrying ESP or a datagram in clear.
 */

function ipBytes(address: string): Buffer {
  return Buffer.from(address.split('.').map(Number));
}

/** A Linux cooked (SLL) header for a frame of the given ethertype, received from a host. */
function cooked(etherType: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt16BE(0, 0);
  header.writeUInt16BE(1, 2);
  header.writeUInt16BE(6, 4);
  Buffer.from([2, 0, 0, 0, 0, 1]).copy(header, 6);
  header.writeUInt16BE(etherType, 14);
  return Buffer.concat([header, payload]);
}

/** An IPv4 packet of a protocol around a payload (checksum left zero: nothing here checks it). */
export function ipv4Packet(source: string, destination: string, protocol: number, payload: Buffer) {
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + payload.length, 2);
  ip[8] = 64;
  ip[9] = protocol;
  ipBytes(source).copy(ip, 12);
  ipBytes(destination).copy(ip, 16);
  return cooked(0x0800, Buffer.concat([ip, payload]));
}

/** An ESP packet: SPI, sequence number, then bytes that stand for the ciphertext and ICV. */
export function espPacket(source: string, destination: string, spi: number, sequence = 1) {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(spi, 0);
  header.writeUInt32BE(sequence, 4);
  return ipv4Packet(
    source,
    destination,
    espProtocol,
    Buffer.concat([header, Buffer.alloc(48, 0xa5)]),
  );
}

/** A UDP datagram in clear, its data readable by anyone on the path. */
export function udpPacket(source: string, destination: string, data: string, port = 9) {
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(40_000, 0);
  udp.writeUInt16BE(port, 2);
  udp.writeUInt16BE(8 + data.length, 4);
  return ipv4Packet(source, destination, 17, Buffer.concat([udp, Buffer.from(data)]));
}

/** A TCP segment's header in clear (a SYN, no data). */
export function tcpSyn(source: string, destination: string, port: number) {
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(40_001, 0);
  tcp.writeUInt16BE(port, 2);
  tcp[12] = 0x50;
  tcp[13] = 0x02;
  return ipv4Packet(source, destination, 6, tcp);
}

/** An ARP request, which crosses no router but is on every leg's capture. */
export function arpFrame() {
  return cooked(0x0806, Buffer.alloc(28));
}

/** A capture file of the packets, as tcpdump writes one on `-i any`. */
export function exchangePcap(packets: readonly Buffer[]): Buffer {
  return writePcap(linkTypes.linuxCooked, packets);
}
