import { linkTypes, writePcap } from '../../harness/checks/probes/pcap-packets.ts';
import { markerEtherType } from './vlan-probes.ts';
import { vlanEtherTypes } from './vlan-frames.ts';

/**
 * Frames as a switch port's capture holds them, built byte by byte for the unit tests: Ethernet
 * with optional 802.1Q tags, carrying ARP, IPv4 or the harness's marker frames.
 */

const broadcastMac = 'ff:ff:ff:ff:ff:ff';

function macBytes(mac: string): Buffer {
  return Buffer.from(mac.split(':').map((h) => parseInt(h, 16)));
}

function ipBytes(address: string): Buffer {
  return Buffer.from(address.split('.').map(Number));
}

/** An Ethernet frame: destination, source, each tag's 802.1Q header, the ethertype, the payload. */
export function ethernetFrame(options: {
  source: string;
  destination?: string;
  vlans?: readonly number[];
  etherType: number;
  payload: Buffer;
}): Buffer {
  const tags = (options.vlans ?? []).map((id) => {
    const tag = Buffer.alloc(4);
    tag.writeUInt16BE(vlanEtherTypes.ctag, 0);
    tag.writeUInt16BE(id & 0x0fff, 2);
    return tag;
  });
  const type = Buffer.alloc(2);
  type.writeUInt16BE(options.etherType, 0);
  return Buffer.concat([
    macBytes(options.destination ?? broadcastMac),
    macBytes(options.source),
    ...tags,
    type,
    options.payload,
  ]);
}

/** An ARP request "who has `target`, tell `sender`". */
export function arpRequest(mac: string, sender: string, target: string, vlans: number[] = []) {
  const payload = Buffer.concat([
    Buffer.from([0, 1, 8, 0, 6, 4, 0, 1]),
    macBytes(mac),
    ipBytes(sender),
    Buffer.alloc(6),
    ipBytes(target),
  ]);
  return ethernetFrame({ source: mac, vlans, etherType: 0x0806, payload });
}

/** A UDP datagram over IPv4 (header fields beyond the addresses left plain). */
export function udpFrame(
  mac: string,
  source: string,
  destination: string,
  data: Buffer,
  vlans: number[] = [],
) {
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + 8 + data.length, 2);
  ip[8] = 64;
  ip[9] = 17;
  ipBytes(source).copy(ip, 12);
  ipBytes(destination).copy(ip, 16);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(40_000, 0);
  udp.writeUInt16BE(9, 2);
  udp.writeUInt16BE(8 + data.length, 4);
  return ethernetFrame({
    source: mac,
    vlans,
    etherType: 0x0800,
    payload: Buffer.concat([ip, udp, data]),
  });
}

/** The probe's broadcast frame: the marker repeated, under the marker ethertype. */
export function markerFrame(mac: string, marker: Buffer, vlans: number[] = []) {
  return ethernetFrame({
    source: mac,
    vlans,
    etherType: markerEtherType,
    payload: Buffer.concat(Array.from({ length: 8 }, () => marker)),
  });
}

/** A capture file of the frames, as tcpdump writes one on a single interface. */
export function portPcap(frames: readonly Buffer[]): Buffer {
  return writePcap(linkTypes.ethernet, frames);
}
