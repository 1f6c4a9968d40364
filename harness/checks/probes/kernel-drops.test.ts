import { describe, expect, it } from 'vitest';
import {
  parseNfqueueDrops,
  parseSoftnetDrops,
  parseUdpReceiveBufferErrors,
} from './kernel-drops.ts';

describe('parseSoftnetDrops', () => {
  it('sums the dropped column of every CPU, read as hexadecimal', () => {
    const table = [
      '0002a1f3 00000000 00000011 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000',
      '0001b2c4 0000001a 00000002 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000001',
      '',
    ].join('\n');
    expect(parseSoftnetDrops(table)).toBe(26);
  });

  it('reads an empty or foreign table as no drops rather than guessing', () => {
    expect(parseSoftnetDrops('')).toBe(0);
    expect(parseSoftnetDrops('not a table')).toBe(0);
  });
});

describe('parseUdpReceiveBufferErrors', () => {
  it('reads RcvbufErrors from the Udp table, by its header', () => {
    const snmp = [
      'Ip: Forwarding DefaultTTL',
      'Ip: 1 64',
      'Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors',
      'Udp: 1382 0 7 3 7 0 0 0 0',
      'UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors',
      'UdpLite: 0 0 0 0 0 0 0 0 0',
    ].join('\n');
    expect(parseUdpReceiveBufferErrors(snmp)).toBe(7);
  });

  it('reads a table without the Udp lines as no drops', () => {
    expect(parseUdpReceiveBufferErrors('Ip: Forwarding\nIp: 1')).toBe(0);
  });
});

describe('parseNfqueueDrops', () => {
  it("sums the queue's own drops and those its program's socket could not take", () => {
    const table = [
      '  100     47     0 1     0     3     2     1641  1',
      '  101     48     0 1     0     0     4     90  1',
    ];
    expect(parseNfqueueDrops(table.join('\n'))).toBe(9);
    expect(parseNfqueueDrops('')).toBe(0);
  });
});
