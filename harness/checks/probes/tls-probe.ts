import type { StartedContainer } from '../../runtime/started-container.ts';

export type TlsVersion = 'TLSv1.2' | 'TLSv1.3';

/** What one HTTPS request with exactly one TLS version offered looked like from the client. */
export interface TlsProbe {
  from: string;
  target: string;
  offered: TlsVersion;
  ok: boolean;
  /** The answer's body, or curl's error. */
  detail: string;
  command: string;
}

function lastLine(text: string): string {
  return text.trim().split('\n').slice(-1)[0] ?? '';
}

/** curl's own error line ("curl: (60) SSL certificate problem: ..."), not its advice after it. */
function curlError(stderr: string): string {
  return stderr.split('\n').find((line) => line.startsWith('curl:')) ?? lastLine(stderr);
}

const curlVersionFlags: Record<TlsVersion, string[]> = {
  'TLSv1.2': ['--tlsv1.2', '--tls-max', '1.2'],
  'TLSv1.3': ['--tlsv1.3', '--tls-max', '1.3'],
};

/**
 * Makes an HTTPS request with curl from a harness container (an observer), offering only one TLS
 * version, and verifying the server against the given authority (or, with `insecure`, not at all:
 * a request that reaches the server whatever its certificate, as a positive control of its log).
 */
export async function tlsRequest(
  from: StartedContainer,
  target: {
    address: string;
    port: number;
    caCertificate: string;
    path?: string;
    insecure?: boolean;
  },
  offered: TlsVersion,
): Promise<TlsProbe> {
  const caPath = `/tmp/ca-${target.address}-${target.port}.pem`;
  await from.writeFile(caPath, target.caCertificate);
  const url = `https://${target.address}:${target.port}${target.path ?? '/'}`;
  const trust = target.insecure === true ? ['--insecure'] : ['--cacert', caPath];
  const command = ['curl', '-sS', '-m', '5', ...trust, ...curlVersionFlags[offered], url];
  const result = await from.exec(command, { timeoutMs: 15_000 });
  return {
    from: from.nodeName,
    target: `${target.address}:${target.port}`,
    offered,
    ok: result.exitCode === 0,
    detail: result.exitCode === 0 ? lastLine(result.stdout) : curlError(result.stderr),
    command: command.join(' '),
  };
}
