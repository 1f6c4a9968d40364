import { describe, expect, it } from 'vitest';
import { tcpStreams } from './pcap-streams.ts';

function ethernetTcpPacket(seq: number, payload: string): Buffer {
  const data = Buffer.from(payload);
  const ethernet = Buffer.alloc(14);
  ethernet.writeUInt16BE(0x0800, 12);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + 20 + data.length, 2);
  ip[9] = 6;
  Buffer.from([10, 41, 0, 5]).copy(ip, 12);
  Buffer.from([10, 42, 0, 6]).copy(ip, 16);
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(40000, 0);
  tcp.writeUInt16BE(8444, 2);
  tcp.writeUInt32BE(seq, 4);
  tcp[12] = 5 << 4;
  return Buffer.concat([ethernet, ip, tcp, data]);
}

function pcapOf(packets: Buffer[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(1, 20);
  const records = packets.map((p) => {
    const record = Buffer.alloc(16);
    record.writeUInt32LE(p.length, 8);
    record.writeUInt32LE(p.length, 12);
    return Buffer.concat([record, p]);
  });
  return Buffer.concat([header, ...records]);
}

describe('TCP streams from a capture', () => {
  it('reassembles a direction by sequence number and counts a retransmission once', () => {
    const pcap = pcapOf([
      ethernetTcpPacket(1006, 'world'),
      ethernetTcpPacket(1000, 'hello '),
      ethernetTcpPacket(1006, 'world'),
    ]);
    const [stream] = tcpStreams(pcap);
    expect(stream?.payload.toString()).toBe('hello world');
    expect(
      stream && [stream.source, stream.destination, stream.destinationPort, stream.packets],
    ).toEqual(['10.41.0.5', '10.42.0.6', 8444, 3]);
  });

  it('refuses bytes that are not a capture', () => {
    expect(() => tcpStreams(Buffer.from('not a pcap file at all, really'))).toThrow(/not a pcap/);
  });
});
