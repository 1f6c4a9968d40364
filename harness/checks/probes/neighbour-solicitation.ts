import type { StartedContainer } from '../../runtime/started-container.ts';

/** What sending one crafted neighbour solicitation did, from the sender's side. */
export interface SolicitationProbe {
  from: string;
  target: string;
  /** The kernel took the packet (a fence that drops in OUTPUT makes the send fail with EPERM). */
  sent: boolean;
  detail: string;
}

/**
 * A neighbour solicitation (ICMPv6 type 135) with hop limit 255, the mark of neighbour discovery,
 * sent by unicast to any address. Only the receiver checks that limit: a router forwards such a
 * packet like any other, so a fence that lets "neighbour discovery" out by type and hop limit,
 * whatever the destination, lets a program carry bytes abroad in it. Linux fills in the ICMPv6
 * checksum of a raw socket itself.
 */
const solicitationScript = `
import socket, struct, sys
target = socket.inet_pton(socket.AF_INET6, sys.argv[1])
# ICMPv6 is protocol 58; the unicast hop limit is option 16 of level 41 (IPv6).
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 58)
s.setsockopt(41, 16, 255)
marker = sys.argv[2].encode()[:40].ljust(40, b"\\0")
# An option of an unassigned type (60, length in units of 8 bytes) carries the harness's marker.
option = struct.pack("!BB", 60, (len(marker) + 2 + 7) // 8) + marker
option = option.ljust(((len(option) + 7) // 8) * 8, b"\\0")
try:
    s.sendto(struct.pack("!BBHI", 135, 0, 0, 0) + target + option, (sys.argv[1], 0))
    print("SENT")
except OSError as e:
    print("REFUSED", e)
`;

export async function neighbourSolicitation(
  from: StartedContainer,
  address: string,
  marker: string,
): Promise<SolicitationProbe> {
  const result = await from.exec(['python3', '-c', solicitationScript, address, marker], {
    timeoutMs: 10_000,
  });
  const line = (result.stdout.trim() || result.stderr.trim()).split('\n').pop() ?? '';
  return {
    from: from.nodeName,
    target: address,
    sent: line === 'SENT',
    detail: line === 'SENT' ? 'sent (hop limit 255)' : `not sent: ${line}`,
  };
}
