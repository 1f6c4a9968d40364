import { describe, expect, it } from 'vitest';
import { linkTypes, writePcap } from '../../harness/checks/probes/pcap-packets.ts';
import { arpRequest, markerFrame, portPcap, udpFrame } from './vlan-frame-fixtures.ts';
import { belongsToVlan, describeVlanFrame, readVlanFrame, readVlanFrames } from './vlan-frames.ts';
import { vlans } from './vlan-plan.ts';

const hostMac = '02:42:0a:38:00:05';
const stationMac = '02:42:0a:5c:00:03';
const canary = Buffer.from('0123456789abcdef', 'hex');

describe('reading a port capture frame by frame', () => {
  it('reads the 802.1Q id, the ethertype after the tag and the ARP addresses of a tagged request', () => {
    const [frame] = readVlanFrames(
      portPcap([arpRequest(hostMac, '192.168.100.10', '192.168.100.2', [100])]),
    );
    expect(frame).toEqual({
      vlans: [100],
      etherType: '0x0806',
      sourceMac: hostMac,
      source: '192.168.100.10',
      destination: '192.168.100.2',
      markers: [],
    });
  });

  it('reads stacked tags outermost first, and untagged IPv4 with its addresses', () => {
    const frames = readVlanFrames(
      portPcap([
        udpFrame(stationMac, '10.1.0.2', '10.1.0.3', Buffer.from('x'), [300, 100]),
        udpFrame(stationMac, '192.168.200.2', '192.168.200.255', Buffer.from('x')),
      ]),
    );
    expect(frames.map((f) => [f.vlans, f.etherType, f.source])).toEqual([
      [[300, 100], '0x0800', '10.1.0.2'],
      [[], '0x0800', '192.168.200.2'],
    ]);
  });

  it('names the markers whose bytes a frame holds', () => {
    const frame = readVlanFrame(markerFrame(hostMac, canary, [100]), {
      'sovereign-canary': canary,
      other: Buffer.from('ffffffffffffffff', 'hex'),
    });
    expect(frame?.markers).toEqual(['sovereign-canary']);
    expect(frame?.etherType).toBe('0x88b5');
  });

  it('skips a record too short to be a frame', () => {
    expect(readVlanFrame(Buffer.alloc(10))).toBeUndefined();
  });

  it('refuses a capture whose link type is not Ethernet: tags would be lost on "any"', () => {
    expect(() => readVlanFrames(writePcap(linkTypes.linuxCooked, []))).toThrow(/Ethernet/);
  });
});

describe('which frames belong to the sovereign VLAN', () => {
  const read = (frame: Buffer) => readVlanFrame(frame, { 'sovereign-canary': canary });
  const sovereign = (frame: Buffer) => {
    const parsed = read(frame);
    if (parsed === undefined) throw new Error('unreadable fixture');
    return belongsToVlan(parsed, vlans.sovereign, ['sovereign-canary']);
  };

  it('a frame tagged with its id, at any depth', () => {
    expect(sovereign(udpFrame(hostMac, '10.0.0.1', '10.0.0.2', Buffer.alloc(4), [100]))).toBe(true);
    expect(sovereign(udpFrame(hostMac, '10.0.0.1', '10.0.0.2', Buffer.alloc(4), [7, 100]))).toBe(
      true,
    );
  });

  it('an untagged frame with an address of its subnet, as a port letting it out untagged sends it', () => {
    expect(sovereign(arpRequest(hostMac, '192.168.100.10', '192.168.100.2'))).toBe(true);
  });

  it("an untagged frame holding the host's canary", () => {
    expect(sovereign(markerFrame(hostMac, canary))).toBe(true);
  });

  it("not the foreign VLAN's own traffic nor the zone network's", () => {
    expect(sovereign(arpRequest(stationMac, '192.168.200.2', '192.168.200.10'))).toBe(false);
    expect(sovereign(udpFrame(stationMac, '10.92.0.2', '10.92.0.3', Buffer.alloc(4)))).toBe(false);
    expect(sovereign(udpFrame(stationMac, '10.0.0.1', '10.0.0.2', Buffer.alloc(4), [200]))).toBe(
      false,
    );
  });
});

describe('a frame in a report', () => {
  it('reads as its tags, ethertype, addresses and markers', () => {
    const frame = readVlanFrame(markerFrame(hostMac, canary, [100]), { canary });
    expect(frame && describeVlanFrame(frame)).toBe(`vlan 100 0x88b5 from ${hostMac} [canary]`);
    const arp = readVlanFrame(arpRequest(hostMac, '192.168.100.10', '192.168.100.2'));
    expect(arp && describeVlanFrame(arp)).toBe('untagged 0x0806 192.168.100.10 > 192.168.100.2');
  });
});
