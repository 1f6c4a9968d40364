import { describe, expect, it } from 'vitest';
import { linkTypes, packetTimes } from '../../harness/checks/probes/pcap-packets.ts';
import { statusRequests } from './ups-polls.ts';

const octets = (address: string) => Buffer.from(address.split('.').map(Number));

/** An Ethernet frame with an IPv4 TCP segment carrying `data`. */
function segment(source: string, destination: string, port: number, data: string): Buffer {
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(40_000, 0);
  tcp.writeUInt16BE(port, 2);
  tcp[12] = 5 << 4;
  const body = Buffer.concat([tcp, Buffer.from(data)]);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + body.length, 2);
  ip[9] = 6;
  octets(source).copy(ip, 12);
  octets(destination).copy(ip, 16);
  const ethernet = Buffer.alloc(14);
  ethernet.writeUInt16BE(0x0800, 12);
  return Buffer.concat([ethernet, ip, body]);
}

/** A microsecond pcap of frames taken at the given epoch ms. */
function capture(frames: { atMs: number; frame: Buffer }[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(linkTypes.ethernet, 20);
  const records = frames.flatMap(({ atMs, frame }) => {
    const record = Buffer.alloc(16);
    record.writeUInt32LE(Math.floor(atMs / 1000), 0);
    record.writeUInt32LE((atMs % 1000) * 1000, 4);
    record.writeUInt32LE(frame.length, 8);
    record.writeUInt32LE(frame.length, 12);
    return [record, frame];
  });
  return Buffer.concat([header, ...records]);
}

const host = '10.44.0.5';
const harness = '10.44.0.9';
const upsd = '10.44.0.3';

describe('packetTimes', () => {
  it('gives each record its time in epoch ms', () => {
    const pcap = capture([
      { atMs: 1_700_000_000_250, frame: segment(host, upsd, 3493, 'x') },
      { atMs: 1_700_000_001_999, frame: segment(host, upsd, 3493, 'y') },
    ]);
    expect(packetTimes(pcap)).toEqual([1_700_000_000_250, 1_700_000_001_999]);
  });

  it('reads nanosecond captures and refuses what is not a capture', () => {
    const pcap = capture([{ atMs: 1_700_000_000_250, frame: segment(host, upsd, 3493, 'x') }]);
    pcap.writeUInt32LE(0xa1b23c4d, 0);
    pcap.writeUInt32LE(250_000_000, 24 + 4);
    expect(packetTimes(pcap)).toEqual([1_700_000_000_250]);
    expect(() => packetTimes(Buffer.alloc(40))).toThrow(/not a pcap file/);
    expect(packetTimes(Buffer.alloc(0))).toEqual([]);
  });
});

describe('statusRequests', () => {
  const t0 = 1_700_000_000_000;
  const pcap = capture([
    { atMs: t0, frame: segment(host, upsd, 3493, 'GET VAR ups1 ups.status\n') },
    { atMs: t0 + 100, frame: segment(harness, upsd, 3493, 'LIST VAR ups1\n') },
    // Another UPS's status, a reply from upsd and an empty ACK are not this UPS's polls.
    { atMs: t0 + 200, frame: segment(host, upsd, 3493, 'GET VAR ups2 ups.status\n') },
    { atMs: t0 + 300, frame: segment(upsd, host, 40_000, 'VAR ups1 ups.status "OL"\n') },
    { atMs: t0 + 400, frame: segment(host, upsd, 3493, '') },
    { atMs: t0 + 1_005, frame: segment(host, upsd, 3493, 'VER\nGET VAR ups1 ups.status\n') },
  ]);

  it("finds the status polls by source and time, and counts every source's requests", () => {
    const { polls, requests } = statusRequests(pcap, { upsName: 'ups1', port: 3493 });
    expect(polls).toEqual([
      { source: host, atMs: t0 },
      { source: host, atMs: t0 + 1_005 },
    ]);
    expect(Object.fromEntries(requests)).toEqual({ [host]: 3, [harness]: 1 });
  });
});
