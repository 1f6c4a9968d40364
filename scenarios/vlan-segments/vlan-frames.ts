import { etherTypes, linkTypes, readPcap } from '../../harness/checks/probes/pcap-packets.ts';
import { addressInCidr, mustParseCidr, parseAddress } from '../../harness/util/cidr.ts';
import type { Vlan } from './vlan-plan.ts';

/** The 802.1Q tag's ethertype (C-tag) and the 802.1ad outer tag's (S-tag, for stacked tags). */
export const vlanEtherTypes = { ctag: 0x8100, stag: 0x88a8 } as const;

/** A captured frame, as the checks judge it: its tags, what it carries, whose bytes ride in it. */
export interface VlanFrame {
  /** The 802.1Q ids of the frame's tags, outermost first; empty for an untagged frame. */
  vlans: number[];
  /** The ethertype after the tags, as hex ("0x0800"). */
  etherType: string;
  sourceMac: string;
  /** IPv4 source and destination, or ARP's sender and target protocol addresses. */
  source?: string;
  destination?: string;
  /** The names of the markers (canaries) whose bytes the frame holds. */
  markers: string[];
}

function mac(bytes: Buffer, at: number): string {
  return [...bytes.subarray(at, at + 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

function ipv4At(bytes: Buffer, at: number): string {
  return [0, 1, 2, 3].map((i) => bytes[at + i] ?? 0).join('.');
}

/** One Ethernet frame read with its 802.1Q tags; undefined when too short to be one. */
export function readVlanFrame(
  frame: Buffer,
  markers: Readonly<Record<string, Buffer>> = {},
): VlanFrame | undefined {
  if (frame.length < 14) return undefined;
  const vlans: number[] = [];
  let at = 12;
  let etherType = frame.readUInt16BE(at);
  while (
    (etherType === vlanEtherTypes.ctag || etherType === vlanEtherTypes.stag) &&
    frame.length >= at + 6
  ) {
    vlans.push(frame.readUInt16BE(at + 2) & 0x0fff);
    at += 4;
    etherType = frame.readUInt16BE(at);
  }
  const payload = at + 2;
  const addresses: { source?: string; destination?: string } = {};
  if (etherType === etherTypes.ipv4 && frame.length >= payload + 20) {
    addresses.source = ipv4At(frame, payload + 12);
    addresses.destination = ipv4At(frame, payload + 16);
  } else if (etherType === etherTypes.arp && frame.length >= payload + 28) {
    addresses.source = ipv4At(frame, payload + 14);
    addresses.destination = ipv4At(frame, payload + 24);
  }
  return {
    vlans,
    etherType: `0x${etherType.toString(16).padStart(4, '0')}`,
    sourceMac: mac(frame, 6),
    ...addresses,
    markers: Object.entries(markers)
      .filter(([, bytes]) => bytes.length > 0 && frame.includes(bytes))
      .map(([name]) => name),
  };
}

/**
 * The frames of a capture taken on one interface (Ethernet link type, which is what tcpdump
 * writes there, with the tags the kernel stripped on receipt written back).
 */
export function readVlanFrames(
  pcap: Buffer,
  markers: Readonly<Record<string, Buffer>> = {},
): VlanFrame[] {
  const file = readPcap(pcap);
  if (file.linkType !== linkTypes.ethernet)
    throw new TypeError(
      `capture of link type ${String(file.linkType)}: capture on the port's own interface (Ethernet, type 1) so that its 802.1Q tags are kept`,
    );
  return file.packets.flatMap((p) => readVlanFrame(p, markers) ?? []);
}

function inSubnet(address: string | undefined, subnet: string): boolean {
  const value = address === undefined ? undefined : parseAddress(address);
  return value !== undefined && addressInCidr(value, mustParseCidr(subnet));
}

/**
 * Whether a frame belongs to a VLAN: it carries the VLAN's tag at any depth, or (untagged, or under
 * another tag, as a port that lets the VLAN out untagged would send it) an address of the VLAN's
 * subnet, or a marker the harness sent only inside that VLAN.
 */
export function belongsToVlan(
  frame: VlanFrame,
  vlan: Pick<Vlan, 'id' | 'subnet'>,
  vlanMarkers: readonly string[] = [],
): boolean {
  return (
    frame.vlans.includes(vlan.id) ||
    inSubnet(frame.source, vlan.subnet) ||
    inSubnet(frame.destination, vlan.subnet) ||
    frame.markers.some((m) => vlanMarkers.includes(m))
  );
}

/** One line for a frame in a report: "vlan 100 0x0800 192.168.100.10 > 192.168.100.255 [canary]". */
export function describeVlanFrame(frame: VlanFrame): string {
  const tags = frame.vlans.length === 0 ? 'untagged' : `vlan ${frame.vlans.join('.')}`;
  const path =
    frame.source === undefined
      ? `from ${frame.sourceMac}`
      : `${frame.source} > ${frame.destination ?? '?'}`;
  const markers = frame.markers.length === 0 ? '' : ` [${frame.markers.join(', ')}]`;
  return `${tags} ${frame.etherType} ${path}${markers}`;
}
