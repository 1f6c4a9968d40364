/** A UDP socket bound and not connected: it takes datagrams from anyone who sends to its port. */
export interface UdpListener {
  /** The bound address as /proc/net shows it, in hex: all zeros for any address. */
  address: string;
  port: number;
  family: 'ipv4' | 'ipv6';
}

const anyRemote = /^0+:0000$/;

/** The listeners among lines of /proc/net/udp and /proc/net/udp6 (header lines are skipped). */
export function parseUdpListeners(lines: readonly string[]): UdpListener[] {
  const listeners: UdpListener[] = [];
  for (const line of lines) {
    const [, local, remote] = line.trim().split(/\s+/);
    if (local === undefined || remote === undefined || !anyRemote.test(remote)) continue;
    const [address = '', portHex = ''] = local.split(':');
    const port = parseInt(portHex, 16);
    if (!/^[0-9A-Fa-f]+$/.test(address) || !Number.isFinite(port)) continue;
    listeners.push({ address, port, family: address.length === 32 ? 'ipv6' : 'ipv4' });
  }
  return listeners;
}

/** 127.0.0.0/8 (as /proc/net/udp writes it, little-endian) or ::1: nothing outside can send to it. */
export function onLoopback(listener: UdpListener): boolean {
  if (listener.family === 'ipv4') return listener.address.toUpperCase().endsWith('7F');
  return listener.address.toUpperCase() === '00000000000000000000000001000000';
}

/**
 * The listeners a pushed datagram from the network could reach, below the ephemeral ports (a
 * client's own socket, such as an SNMP poller's, is bound up there): a trap receiver on 162, on
 * snmptrapd's unprivileged 1162, or on any port of the stack's choosing.
 */
export function pushListeners(
  listeners: readonly UdpListener[],
  ephemeralPortsFrom: number,
): UdpListener[] {
  return listeners.filter((l) => !onLoopback(l) && l.port < ephemeralPortsFrom);
}

export function describeListener(l: UdpListener): string {
  return `UDP ${l.family === 'ipv6' ? 'IPv6 ' : ''}${String(l.port)}`;
}
