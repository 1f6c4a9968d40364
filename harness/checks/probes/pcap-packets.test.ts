import { describe, expect, it } from 'vitest';
import {
  formatIpv6,
  framesOf,
  isIpv6LinkLocalControl,
  linkTypes,
  readPcap,
  vxlanFrames,
  writePcap,
} from './pcap-packets.ts';
import { tcpStreams } from './pcap-streams.ts';

const octets = (address: string) => Buffer.from(address.split('.').map(Number));

function ipv4(source: string, destination: string, protocol: number, body: Buffer): Buffer {
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + body.length, 2);
  ip[8] = 64;
  ip[9] = protocol;
  octets(source).copy(ip, 12);
  octets(destination).copy(ip, 16);
  return Buffer.concat([ip, body]);
}

function ethernet(etherType: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(14);
  header.writeUInt16BE(etherType, 12);
  return Buffer.concat([header, payload]);
}

function tcp(sourcePort: number, destinationPort: number, seq: number, data: string): Buffer {
  const header = Buffer.alloc(20);
  header.writeUInt16BE(sourcePort, 0);
  header.writeUInt16BE(destinationPort, 2);
  header.writeUInt32BE(seq, 4);
  header[12] = 5 << 4;
  return Buffer.concat([header, Buffer.from(data)]);
}

function udp(sourcePort: number, destinationPort: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16BE(sourcePort, 0);
  header.writeUInt16BE(destinationPort, 2);
  header.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([header, payload]);
}

function vxlan(vni: number, frame: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = 0x08;
  header.writeUInt32BE(vni << 8, 4);
  return Buffer.concat([header, frame]);
}

/** A Linux cooked v2 frame, as `tcpdump -i any` writes it. */
function cooked2(etherType: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(20);
  header.writeUInt16BE(etherType, 0);
  return Buffer.concat([header, payload]);
}

describe('packets of a capture', () => {
  const inner = ethernet(
    0x0800,
    ipv4('10.48.0.5', '10.49.0.6', 6, tcp(40000, 8444, 1000, 'PUT /inbox/x')),
  );
  const outer = cooked2(
    0x0800,
    ipv4('10.48.0.3', '10.49.0.3', 17, udp(51000, 4789, vxlan(4242, inner))),
  );
  const pcap = writePcap(linkTypes.linuxCooked2, [outer, cooked2(0x0806, Buffer.alloc(28))]);

  it('writes a capture it reads back record by record', () => {
    const read = readPcap(pcap);
    expect(read.linkType).toBe(linkTypes.linuxCooked2);
    expect(read.packets).toHaveLength(2);
    expect(read.packets[0]?.equals(outer)).toBe(true);
  });

  it('reads each frame: IPv4 with ports and payload, ARP by its ethertype', () => {
    const [first, second] = framesOf(pcap);
    expect(first?.ipv4).toMatchObject({
      source: '10.48.0.3',
      destination: '10.49.0.3',
      protocol: 17,
      fragment: false,
      sourcePort: 51000,
      destinationPort: 4789,
    });
    expect(second).toEqual({ etherType: 0x0806 });
  });

  it('reads the addresses of IPv6 frames, and knows neighbour discovery on the link from traffic', () => {
    const v6 = (hex: string) => Buffer.from(hex.replace(/:/g, ''), 'hex');
    const frame = (source: string, destination: string) => {
      const header = Buffer.alloc(40);
      header[0] = 0x60;
      v6(source).copy(header, 8);
      v6(destination).copy(header, 24);
      return cooked2(0x86dd, Buffer.concat([header, Buffer.alloc(8)]));
    };
    const linkLocal = 'fe80:0000:0000:0000:0042:acff:fe10:0003';
    const [solicitation, dad, global, unicast] = framesOf(
      writePcap(linkTypes.linuxCooked2, [
        frame(linkLocal, 'ff02:0000:0000:0000:0000:0000:0000:0002'),
        frame('0000:0000:0000:0000:0000:0000:0000:0000', 'ff02:0000:0000:0000:0000:0001:ff10:0003'),
        frame('2001:0db8:0000:0000:0000:0000:0000:0001', 'ff02:0000:0000:0000:0000:0000:0000:0001'),
        frame(linkLocal, 'fe80:0000:0000:0000:0000:0000:0000:0009'),
      ]),
    );
    expect(formatIpv6(solicitation?.ipv6?.source ?? Buffer.alloc(0))).toBe(
      'fe80:0:0:0:42:acff:fe10:3',
    );
    expect(
      [solicitation, dad, global, unicast].map((f) =>
        f?.ipv6 === undefined ? undefined : isIpv6LinkLocalControl(f.ipv6),
      ),
    ).toEqual([true, true, false, false]);
  });

  it('takes the inner frames out of VXLAN, and TCP streams out of them', () => {
    const frames = vxlanFrames(pcap, 4789);
    expect(frames.map((f) => [f.vni, f.outerSource, f.outerDestination])).toEqual([
      [4242, '10.48.0.3', '10.49.0.3'],
    ]);
    const streams = tcpStreams(
      writePcap(
        linkTypes.ethernet,
        frames.map((f) => f.frame),
      ),
    );
    expect(streams.map((s) => [s.destination, s.destinationPort, s.payload.toString()])).toEqual([
      ['10.49.0.6', 8444, 'PUT /inbox/x'],
    ]);
    expect(vxlanFrames(pcap, 8472)).toEqual([]);
  });

  it('gives a later fragment no ports', () => {
    const fragment = ipv4('10.48.0.3', '10.49.0.3', 17, Buffer.alloc(40));
    fragment.writeUInt16BE(185, 6);
    const [frame] = framesOf(writePcap(linkTypes.raw, [fragment]));
    expect(frame?.ipv4?.fragment).toBe(true);
    expect(frame?.ipv4?.destinationPort).toBeUndefined();
  });
});
