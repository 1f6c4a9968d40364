import type { StartedContainer } from '../../runtime/started-container.ts';
import { waitUntil } from '../../util/wait-until.ts';

export interface TcpProbe {
  from: string;
  target: string;
  connected: boolean;
  detail: string;
}

/**
 * Tries a TCP connection from inside a container with bash's /dev/tcp, so it works from any
 * image of the harness (the TPM's, which shares a machine's loopback, included).
 */
export async function tcpConnect(
  from: StartedContainer,
  address: string,
  port: number,
  timeoutSeconds = 3,
): Promise<TcpProbe> {
  // The inner timeout's exit status (124 for a silently dropped SYN) is reported, not returned:
  // the exec's own timeout must only fire when the probe itself hangs.
  const result = await from.exec(
    [
      'bash',
      '-c',
      `timeout ${timeoutSeconds} bash -c 'exec 3<>/dev/tcp/${address}/${port}' && echo CONNECTED || echo "EXIT $?"`,
    ],
    { timeoutMs: (timeoutSeconds + 3) * 1000 },
  );
  const connected = result.stdout.includes('CONNECTED');
  const timedOut = result.stdout.includes('EXIT 124');
  return {
    from: from.nodeName,
    target: `${address}:${port}`,
    connected,
    detail: connected
      ? 'connection accepted'
      : timedOut
        ? `no answer within ${timeoutSeconds}s`
        : result.stderr.trim().split('\n').pop() || `exit ${result.exitCode}`,
  };
}

/** Waits until a TCP port accepts connections from a container: a service of the stack is up. */
export async function awaitTcpListening(
  from: StartedContainer,
  target: { address: string; port: number },
  wait: { what: string; timeoutMs: number },
): Promise<TcpProbe> {
  return waitUntil(
    async () => {
      const probe = await tcpConnect(from, target.address, target.port, 2);
      return probe.connected ? probe : undefined;
    },
    {
      what: wait.what,
      expected: `accepting connections at ${target.address}:${target.port} from ${from.nodeName}`,
      timeoutMs: wait.timeoutMs,
      // Each try is an exec in a container: a second apart keeps a boot wait cheap.
      intervalMs: 1_000,
    },
  );
}
