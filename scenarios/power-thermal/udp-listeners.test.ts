import { describe, expect, it } from 'vitest';
import { onLoopback, parseUdpListeners, pushListeners } from './udp-listeners.ts';

const udp = [
  '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
  '  1: 00000000:00A2 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1 2 0000000000000000 0',
  '  2: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 2 2 0000000000000000 0',
  '  3: 0B2A000A:CE7C 0A2A000A:00A1 01 00000000:00000000 00:00000000 00000000     0        0 3 2 0000000000000000 0',
  '  4: 00000000:CE7D 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4 2 0000000000000000 0',
];
const udp6 = [
  '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
  '  5: 00000000000000000000000000000000:048A 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 5 2 0000000000000000 0',
  '  6: 00000000000000000000000001000000:0222 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 6 2 0000000000000000 0',
];

describe('UDP listeners from /proc/net', () => {
  const listeners = parseUdpListeners([...udp, ...udp6]);

  it('keeps unconnected sockets of both families and drops connected ones and headers', () => {
    expect(listeners.map((l) => `${l.family}:${String(l.port)}`)).toEqual([
      'ipv4:162',
      'ipv4:53',
      'ipv4:52861',
      'ipv6:1162',
      'ipv6:546',
    ]);
  });

  it('tells loopback listeners apart', () => {
    expect(listeners.filter(onLoopback).map((l) => l.port)).toEqual([53, 546]);
  });

  it('finds the listeners a pushed datagram could reach: not on loopback, below the ephemeral ports', () => {
    expect(pushListeners(listeners, 32_768).map((l) => l.port)).toEqual([162, 1162]);
    expect(pushListeners(listeners, 1_000).map((l) => l.port)).toEqual([162]);
  });
});
