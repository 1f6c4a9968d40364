import { checkAddress } from './ipsec-commands.ts';

/**
 * The traffic ipsec-tunnel sends between the sites, as command lines built without side effects.
 */

/** The port the harness's datagrams go to: discard, which no container here listens on. */
export const discardPort = 9;

/**
 * One UDP datagram to each target, its payload the marker text, in Python (every harness image
 * has it, and it needs no listener: the capture is the witness, not a reply).
 */
export function datagramCommand(targets: readonly string[], marker: string): string[] {
  if (!/^[a-z0-9-]{8,64}$/.test(marker))
    throw new TypeError(`marker "${marker}": use 8-64 of a-z, 0-9 and "-"`);
  return [
    'python3',
    '-c',
    [
      'import socket, sys',
      's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
      `[s.sendto(sys.argv[1].encode(), (t, ${String(discardPort)})) for t in sys.argv[2:]]`,
    ].join('; '),
    marker,
    ...targets.map(checkAddress),
  ];
}
