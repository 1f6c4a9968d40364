/**
 * What a sovereign API endpoint saw of its clients' TLS handshakes, read from nginx's logs: the
 * access log has one JSON line per request on an accepted handshake, the error log (info level)
 * one line per refused handshake.
 */
export interface Handshake {
  outcome: 'accepted' | 'refused';
  /** The peer that connected: the client, or the load balancer that relayed it. */
  client: string;
  /** The client behind a load balancer, from the PROXY protocol header; '' for direct sessions. */
  relayedClient: string;
  /** The address that client called at the load balancer, from the PROXY header; '' if direct. */
  relayedServer: string;
  port: number;
  /** The negotiated version ("TLSv1.3") for accepted handshakes; '' for refused ones. */
  protocol: string;
  /** Why a handshake was refused, as OpenSSL said it ("unsupported protocol"); '' when accepted. */
  reason: string;
  /** The log line, kept as evidence. */
  line: string;
}

interface AccessRecord {
  client?: string;
  relayedClient?: string;
  relayedServer?: string;
  port?: number;
  protocol?: string;
}

export function parseAccessLog(text: string): Handshake[] {
  const handshakes: Handshake[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let record: AccessRecord;
    try {
      record = JSON.parse(line) as AccessRecord;
    } catch {
      continue;
    }
    handshakes.push({
      outcome: 'accepted',
      client: record.client ?? '',
      relayedClient: record.relayedClient ?? '',
      relayedServer: record.relayedServer ?? '',
      port: record.port ?? 0,
      protocol: record.protocol ?? '',
      reason: '',
      line,
    });
  }
  return handshakes;
}

const refusedHandshake =
  /SSL_do_handshake\(\) failed \(SSL: error:[0-9A-Fa-f]+:SSL routines::([^)]*)\).*client: ([0-9.]+), server: [^,]*:(\d+)/;

export function parseErrorLog(text: string): Handshake[] {
  const handshakes: Handshake[] = [];
  for (const line of text.split('\n')) {
    const match = refusedHandshake.exec(line);
    if (match === null) continue;
    handshakes.push({
      outcome: 'refused',
      client: match[2] ?? '',
      relayedClient: '',
      relayedServer: '',
      port: Number(match[3]),
      protocol: '',
      reason: (match[1] ?? '').trim(),
      line,
    });
  }
  return handshakes;
}
