import { describe, expect, it } from 'vitest';
import { ethernetTcpFrame } from '../../testing/tcp-frames.ts';
import { linkTypes, writePcap } from './pcap-packets.ts';
import { tcpStreams } from './pcap-streams.ts';

function ethernetTcpPacket(sequence: number, payload: string): Buffer {
  return ethernetTcpFrame({
    source: [10, 41, 0, 5],
    destination: [10, 42, 0, 6],
    sourcePort: 40000,
    destinationPort: 8444,
    sequence,
    flags: 0,
    payload: Buffer.from(payload),
  });
}

const pcapOf = (packets: Buffer[]) => writePcap(linkTypes.ethernet, packets);

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
