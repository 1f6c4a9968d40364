import { describe, expect, it } from 'vitest';
import { arpFrame, espPacket, exchangePcap, tcpSyn, udpPacket } from './ipsec-packet-fixtures.ts';
import { betweenSites, describeCrossing, readCrossings } from './ipsec-packets.ts';

const canary = 'sovh-canary-0011223344556677';

describe("reading the exchange's capture", () => {
  it('groups ESP by its endpoints and SPI, and whatever else by protocol and addresses', () => {
    const pcap = exchangePcap([
      espPacket('10.53.0.3', '10.54.0.3', 0x1001, 1),
      espPacket('10.53.0.3', '10.54.0.3', 0x1001, 2),
      espPacket('10.54.0.3', '10.53.0.3', 0x8000_0002),
      udpPacket('10.55.0.2', '10.53.0.3', 'sovh-site-00'),
      tcpSyn('10.53.0.2', '10.54.0.3', 443),
      arpFrame(),
    ]);
    const { crossings, canarySeen } = readCrossings(pcap, canary);
    expect(crossings.map(describeCrossing)).toEqual([
      'esp 10.53.0.3 > 10.54.0.3 spi 0x00001001: 2',
      'esp 10.54.0.3 > 10.53.0.3 spi 0x80000002: 1',
      'udp 10.55.0.2 > 10.53.0.3: 1',
      'tcp 10.53.0.2 > 10.54.0.3: 1',
      'ethertype 0x0806: 1',
    ]);
    expect(crossings.map((c) => c.kind)).toEqual(['esp', 'esp', 'clear', 'clear', 'other']);
    expect(canarySeen).toBe(false);
  });

  it('sees the canary anywhere in the capture, as the control needs', () => {
    const pcap = exchangePcap([udpPacket('10.74.0.2', '10.75.0.3', canary)]);
    expect(readCrossings(pcap, canary).canarySeen).toBe(true);
  });

  it('tells a crossing between the sites, either way, from one that only touches one site', () => {
    const a = ['10.53.0.0/16'];
    const b = ['10.54.0.0/16', '10.55.0.0/16'];
    expect(betweenSites({ source: '10.53.0.2', destination: '10.55.0.3' }, a, b)).toBe(true);
    expect(betweenSites({ source: '10.54.0.2', destination: '10.53.0.3' }, a, b)).toBe(true);
    expect(betweenSites({ source: '10.53.0.2', destination: '10.75.0.3' }, a, b)).toBe(false);
    expect(betweenSites({ source: '10.58.0.2', destination: '10.53.0.3' }, a, b)).toBe(false);
    expect(betweenSites({}, a, b)).toBe(false);
  });
});
