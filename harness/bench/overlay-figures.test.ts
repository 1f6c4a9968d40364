import { describe, expect, it } from 'vitest';
import {
  linkMtu,
  microsecondsPerPacket,
  parseOpensslSpeed,
  parsePingRtts,
  parseSealRate,
  roundOrder,
  roundRatios,
  snmpCounter,
  spreadOf,
} from './overlay-figures.ts';

describe('overlay benchmark figures', () => {
  it("reads the rate of openssl speed's machine-readable output", () => {
    const output = [
      '+DT:AES-256-GCM:1:1400',
      '+R:638137:AES-256-GCM:0.910000',
      '+H:1400',
      '+F:25:AES-256-GCM:981749230.77',
    ].join('\n');
    expect(parseOpensslSpeed(output)).toBeCloseTo(981749230.77, 2);
    expect(parseOpensslSpeed('speed: Unknown algorithm aes-256-gcm\n')).toBeUndefined();
    expect(parseOpensslSpeed('+F:25:AES-256-GCM:0.00')).toBeUndefined();
  });

  it('reads the sealing loop and the round trips of ping', () => {
    expect(parseSealRate('seals=39200 seconds=1.0034\n')).toBeCloseTo(39067.2, 1);
    expect(parseSealRate("ModuleNotFoundError: No module named 'residency'")).toBeUndefined();
    expect(parseSealRate('seals=0 seconds=1.0')).toBeUndefined();
    const ping = [
      'PING 10.49.0.20 (10.49.0.20) 56(84) bytes of data.',
      '64 bytes from 10.49.0.20: icmp_seq=1 ttl=61 time=0.412 ms',
      '64 bytes from 10.49.0.20: icmp_seq=2 ttl=61 time=1.05 ms',
      '--- 10.49.0.20 ping statistics ---',
      'rtt min/avg/max/mdev = 0.412/0.731/1.050/0.319 ms',
    ].join('\n');
    expect(parsePingRtts(ping)).toEqual([0.412, 1.05]);
  });

  it('turns a rate into the time of one packet', () => {
    expect(microsecondsPerPacket(1.4e9)).toBeCloseTo(1, 6);
    expect(microsecondsPerPacket(125e6, 1250)).toBeCloseTo(10, 6);
  });

  it('gives median and spread without the failed measurements', () => {
    expect(spreadOf([3, Number.NaN, 1, 2])).toEqual({
      median: 2,
      min: 1,
      max: 3,
      p10: 1,
      p90: 3,
      count: 3,
    });
    expect(spreadOf([Number.NaN])).toBeUndefined();
  });

  it('rotates the order of the paths each round and pairs the rounds for ratios', () => {
    expect(roundOrder(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(roundOrder(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
    expect(roundOrder(['a', 'b', 'c'], 5)).toEqual(['c', 'a', 'b']);
    expect(roundOrder([], 3)).toEqual([]);
    expect(roundRatios([50, Number.NaN, 90], [100, 100, 0])).toEqual([0.5]);
  });

  it('reads an IP counter of /proc/net/snmp and the MTU of a link', () => {
    const snmp = [
      'Ip: Forwarding DefaultTTL InReceives FragOKs FragFails FragCreates',
      'Ip: 1 64 81200 40100 0 80200',
      'Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors',
      'Udp: 3 0 0 3 0',
    ].join('\n');
    expect(snmpCounter(snmp, 'Ip', 'FragCreates')).toBe(80200);
    expect(snmpCounter(snmp, 'Udp', 'RcvbufErrors')).toBe(0);
    expect(snmpCounter(snmp, 'Ip', 'ReasmFails')).toBeUndefined();
    expect(snmpCounter('', 'Ip', 'FragCreates')).toBeUndefined();
    expect(linkMtu('[{"ifindex":2,"ifname":"vx4242","mtu":1500}]')).toBe(1500);
    expect(linkMtu('Device "vx4242" does not exist.')).toBeUndefined();
  });
});
