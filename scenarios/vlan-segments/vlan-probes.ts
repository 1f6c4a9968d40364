import { checkDevice } from './vlan-commands.ts';

/**
 * The probes vlan-segments runs on either side of the switch, as command lines built without side
 * effects: Python over packet sockets, so that they need no tool of the stack under test.
 */

/** A marker: 8 random bytes as 16 hex digits, long enough that no other frame holds it by chance. */
export function canaryPattern(hex: string): string {
  if (!/^[0-9a-f]{16}$/.test(hex))
    throw new TypeError(`canary "${hex}": use 16 lower-case hex digits (8 bytes)`);
  return hex;
}

/** The ethertype of the marker frames (IEEE 802 local experimental): no stack answers or filters it. */
export const markerEtherType = 0x88b5;

/**
 * The VLAN probe, in Python over AF_PACKET so that it needs no tool of the stack under test and no
 * firewall of the host sees it (a packet socket bypasses netfilter): out of one interface, a
 * broadcast frame padded with the marker (it reaches every port of the VLAN), then three ARP
 * requests for the target; it counts the ARP replies for the target that come back in time and
 * prints one JSON line. A reply can only come over that VLAN: the interface is its sub-interface.
 */
const probeScript = [
  'import json, socket, struct, sys, time',
  'dev, src, dst, marker, wait = sys.argv[1], sys.argv[2], sys.argv[3], bytes.fromhex(sys.argv[4]), float(sys.argv[5])',
  'arp = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))',
  'arp.bind((dev, 0))',
  'mac = arp.getsockname()[4]',
  "bc = b'\\xff' * 6",
  'raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)',
  `raw.bind((dev, ${String(markerEtherType)}))`,
  `raw.send(bc + mac + struct.pack('!H', ${String(markerEtherType)}) + marker * 8)`,
  "request = bc + mac + struct.pack('!HHHBBH', 0x0806, 1, 0x0800, 6, 4, 1) + mac + socket.inet_aton(src) + bytes(6) + socket.inet_aton(dst) + bytes(18)",
  'arp.settimeout(0.1)',
  'sent = replies = 0',
  'end = time.time() + wait',
  'while time.time() < end:',
  '    if sent < 3:',
  '        arp.send(request)',
  '        sent += 1',
  '    try:',
  '        frame = arp.recv(2048)',
  '    except socket.timeout:',
  '        continue',
  "    if len(frame) >= 42 and frame[12:14] == b'\\x08\\x06' and frame[20:22] == b'\\x00\\x02' and frame[28:32] == socket.inet_aton(dst):",
  '        replies += 1',
  "print(json.dumps({'sent': sent, 'received': replies, 'mac': mac.hex(':')}))",
].join('\n');

/** The probe's command line: interface, its address, the target, the marker and how long to listen. */
export function vlanProbeCommand(options: {
  device: string;
  source: string;
  target: string;
  markerHex: string;
  waitMs: number;
}): string[] {
  return [
    'python3',
    '-c',
    probeScript,
    checkDevice(options.device),
    options.source,
    options.target,
    canaryPattern(options.markerHex),
    String(options.waitMs / 1_000),
  ];
}

/** The probe's JSON line: ARP requests sent, replies for the target received, the interface's MAC. */
export function parseVlanProbe(
  stdout: string,
): { sent: number; received: number; mac: string } | undefined {
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (line === undefined) return undefined;
  try {
    const parsed = JSON.parse(line) as { sent?: unknown; received?: unknown; mac?: unknown };
    if (typeof parsed.sent !== 'number' || typeof parsed.received !== 'number') return undefined;
    return {
      sent: parsed.sent,
      received: parsed.received,
      mac: typeof parsed.mac === 'string' ? parsed.mac : '',
    };
  } catch {
    return undefined;
  }
}

/**
 * One broadcast frame out of one device, its payload the marker repeated under the marker
 * ethertype: how a station marks its own port's capture (the capture's positive control). Python
 * over a packet socket, as the probe, since the station images have no ping.
 */
export function markerBroadcastCommand(device: string, markerHex: string): string[] {
  return [
    'python3',
    '-c',
    [
      'import socket, struct, sys',
      'raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)',
      `raw.bind((sys.argv[1], ${String(markerEtherType)}))`,
      `raw.send(b'\\xff' * 6 + raw.getsockname()[4] + struct.pack('!H', ${String(markerEtherType)}) + bytes.fromhex(sys.argv[2]) * 8)`,
    ].join('; '),
    checkDevice(device),
    canaryPattern(markerHex),
  ];
}
