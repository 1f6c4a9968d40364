import type { StartedContainer } from '../../runtime/started-container.ts';

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
  const result = await from.exec(
    [
      'timeout',
      String(timeoutSeconds),
      'bash',
      '-c',
      `exec 3<>/dev/tcp/${address}/${port} && echo CONNECTED`,
    ],
    { timeoutMs: (timeoutSeconds + 3) * 1000 },
  );
  const connected = result.stdout.includes('CONNECTED');
  return {
    from: from.nodeName,
    target: `${address}:${port}`,
    connected,
    detail: connected
      ? 'connection accepted'
      : result.stderr.trim().split('\n').pop() || `exit ${result.exitCode}`,
  };
}
