import type { StartedContainer } from '../../runtime/started-container.ts';

/** One UDP datagram or ICMP echo request sent from a container, and what came of it. */
export interface DatagramProbe {
  from: string;
  proto: 'udp' | 'icmp';
  /** `address:port` for UDP, the address for ICMP. */
  target: string;
  /** The kernel took the packet (a fence that drops in OUTPUT makes the send fail with EPERM). */
  sent: boolean;
  /** An answer came back (the target's reply, or the echo reply). */
  answered: boolean;
  /** The probe could not take its source port (a service of the host holds it): nothing was tried. */
  notTried?: true;
  detail: string;
}

/**
 * Sends a datagram (or `count` of them, 200 ms apart) and waits for one answer. Python, not nc: the
 * send's own error (EPERM from a dropping OUTPUT chain) is told apart from a silent drop further on.
 */
const udpScript = `
import socket, sys, time
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(float(sys.argv[3]))
if int(sys.argv[6]) > 0:
    try:
        s.bind(("::" if ":" in sys.argv[1] else "0.0.0.0", int(sys.argv[6])))
    except OSError as e:
        print("UNBOUND", e)
        sys.exit(0)
try:
    for i in range(int(sys.argv[5])):
        if i > 0:
            time.sleep(0.2)
        s.sendto(sys.argv[4].encode(), (sys.argv[1], int(sys.argv[2])))
except OSError as e:
    print("REFUSED", e)
    sys.exit(0)
try:
    print("ANSWERED", s.recv(512).decode(errors="replace").strip())
except socket.timeout:
    print("SILENT")
except OSError as e:
    print("RECVFAILED", e)
`;

/** What the UDP script printed, as a probe result (pure; exported for its unit test). */
export function readUdpOutput(
  output: string,
  from: string,
  target: string,
  timeoutSeconds: number,
): DatagramProbe {
  const line = output.trim().split('\n').pop() ?? '';
  const [word = '', ...rest] = line.split(' ');
  const text = rest.join(' ');
  if (word === 'UNBOUND')
    return {
      from,
      proto: 'udp',
      target,
      sent: false,
      answered: false,
      notTried: true,
      detail: `not tried: the source port could not be taken (${text})`,
    };
  const sent = word === 'ANSWERED' || word === 'SILENT' || word === 'RECVFAILED';
  const detail =
    word === 'ANSWERED'
      ? `answered: ${text}`
      : word === 'SILENT'
        ? `sent; no answer within ${timeoutSeconds}s`
        : word === 'REFUSED'
          ? `send refused: ${text}`
          : word === 'RECVFAILED'
            ? `sent; ${text}`
            : `probe printed "${line}"`;
  return { from, proto: 'udp', target, sent, answered: word === 'ANSWERED', detail };
}

/**
 * Sends a UDP datagram (the payload names the sender) from a container, or `count` of them 200 ms
 * apart, and waits for an answer. `sourcePort` sends from that port rather than an ephemeral one
 * (a fence that lets "replies" out by source port lets such a datagram out too).
 */
export async function udpSend(
  from: StartedContainer,
  address: string,
  port: number,
  payload: string,
  timeoutSeconds = 2,
  count = 1,
  sourcePort = 0,
): Promise<DatagramProbe> {
  const result = await from.exec(
    [
      'python3',
      '-c',
      udpScript,
      address,
      String(port),
      String(timeoutSeconds),
      payload,
      String(count),
      String(sourcePort),
    ],
    { timeoutMs: (timeoutSeconds + count + 5) * 1000 },
  );
  // The script catches its own errors; only a crashed interpreter leaves stdout empty.
  return readUdpOutput(
    result.stdout.trim() !== '' ? result.stdout : result.stderr,
    from.nodeName,
    `${address}:${port}`,
    timeoutSeconds,
  );
}

/** What one `ping -c 1` printed, as a probe result (pure; exported for its unit test). */
export function readPingOutput(output: string, from: string, address: string): DatagramProbe {
  const refused = /sendmsg: (.*)|connect: (.*)/.exec(output);
  const received = /(\d+) (?:packets )?received/.exec(output);
  const answered = received !== null && Number(received[1]) > 0;
  const sent = refused === null && /(\d+) packets transmitted/.test(output);
  const detail = answered
    ? 'echo reply received'
    : refused !== null
      ? `send refused: ${(refused[1] ?? refused[2] ?? '').trim()}`
      : sent
        ? 'sent; no echo reply'
        : `ping printed "${output.trim().split('\n').pop() ?? ''}"`;
  return { from, proto: 'icmp', target: address, sent, answered, detail };
}

/**
 * Sends ICMP echo requests from a container (needs NET_RAW and ping), `count` of them 200 ms apart
 * (one by default), and waits for a reply; answered when any reply came.
 */
export async function icmpEcho(
  from: StartedContainer,
  address: string,
  timeoutSeconds = 2,
  count = 1,
): Promise<DatagramProbe> {
  const command = ['ping', '-n', '-c', String(count), '-i', '0.2', '-W', String(timeoutSeconds)];
  const result = await from.exec([...command, address], {
    timeoutMs: (timeoutSeconds + count + 5) * 1000,
  });
  return readPingOutput(`${result.stdout}\n${result.stderr}`, from.nodeName, address);
}
