import { hostPorts } from '../../contract/host-ports.ts';
import type { StartedContainer } from '../../runtime/started-container.ts';

/** What a host's envelope inbox answered to bytes the harness handed it. */
export interface InboxDelivery {
  target: string;
  objectId: string;
  /** HTTP status: 201 opened into the store, 403 refused; 0 when no connection was made. */
  status: number;
  /** The refusal's code (`{"error": "<code>"}`), when the inbox named one. */
  error?: string;
  body: string;
  command: string;
}

/**
 * Hands bytes to a host's envelope inbox (`PUT /inbox/<id>` on the relay port, CONTRACT.md) with
 * the harness's own curl, from any container that reaches it: a zone observer over the network, or
 * a machine probe over the host's loopback.
 */
export async function deliverToInbox(
  from: StartedContainer,
  address: string,
  objectId: string,
  bytes: Buffer,
): Promise<InboxDelivery> {
  const url = `http://${address}:${hostPorts.envelopeRelay}/inbox/${objectId}`;
  const command = ['curl', '-sS', '-m', '10', '-w', '\nHTTP_STATUS:%{http_code}', '-X', 'PUT'];
  const result = await from.exec(
    [...command, '-H', 'Content-Type: application/octet-stream', '--data-binary', '@-', url],
    { stdin: bytes, timeoutMs: 20_000 },
  );
  const status = Number(/HTTP_STATUS:(\d{3})$/.exec(result.stdout)?.[1] ?? '0');
  const body = result.stdout.replace(/\nHTTP_STATUS:\d{3}$/, '').trim();
  let error: string | undefined;
  try {
    const answer = JSON.parse(body) as { error?: unknown };
    error = typeof answer.error === 'string' ? answer.error : undefined;
  } catch {
    error = undefined;
  }
  return {
    target: `${address}:${hostPorts.envelopeRelay}`,
    objectId,
    status,
    ...(error === undefined ? {} : { error }),
    body: body || result.stderr.trim(),
    command: `curl -X PUT --data-binary @envelope ${url} (from ${from.nodeName})`,
  };
}
