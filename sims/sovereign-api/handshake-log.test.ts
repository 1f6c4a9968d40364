import { describe, expect, it } from 'vitest';
import { parseAccessLog, parseErrorLog } from './handshake-log.ts';

describe('sovereign API handshake logs', () => {
  it('reads accepted handshakes with their version and relayed client from the access log', () => {
    const log = [
      '{"time":"2026-11-26T15:20:01+00:00","client":"10.41.0.5","relayedClient":"","port":443,"protocol":"TLSv1.3","cipher":"TLS_AES_256_GCM_SHA384","request":"GET /health HTTP/1.1","status":200}',
      'not json',
      '{"time":"2026-11-26T15:20:02+00:00","client":"10.41.0.6","relayedClient":"10.90.0.3","port":444,"protocol":"TLSv1.2","cipher":"ECDHE","request":"GET / HTTP/1.1","status":200}',
    ].join('\n');
    const handshakes = parseAccessLog(log);
    expect(
      handshakes.map((h) => [h.outcome, h.client, h.relayedClient, h.port, h.protocol]),
    ).toEqual([
      ['accepted', '10.41.0.5', '', 443, 'TLSv1.3'],
      ['accepted', '10.41.0.6', '10.90.0.3', 444, 'TLSv1.2'],
    ]);
  });

  it('reads refused handshakes with the reason and the client from the error log', () => {
    const log = [
      '2026/11/26 15:20:01 [notice] 7#7: start worker processes',
      '2026/11/26 15:20:03 [info] 8#8: *3 SSL_do_handshake() failed (SSL: error:0A000102:SSL routines::unsupported protocol) while SSL handshaking, client: 10.41.0.5, server: 0.0.0.0:443',
    ].join('\n');
    expect(parseErrorLog(log).map((h) => [h.outcome, h.client, h.port, h.reason])).toEqual([
      ['refused', '10.41.0.5', 443, 'unsupported protocol'],
    ]);
  });

  it('reads a client that aborted on the certificate (its alert) as a refused handshake', () => {
    const log =
      '2026/11/26 15:20:04 [info] 8#8: *5 SSL_do_handshake() failed (SSL: error:0A000418:SSL routines::tlsv1 alert unknown ca:SSL alert number 48) while SSL handshaking, client: 10.41.0.5, server: 0.0.0.0:443';
    expect(parseErrorLog(log).map((h) => [h.outcome, h.client, h.reason])).toEqual([
      ['refused', '10.41.0.5', 'tlsv1 alert unknown ca:SSL alert number 48'],
    ]);
  });

  it('reads the address a relayed client called at the load balancer', () => {
    const line =
      '{"client":"10.43.0.4","relayedClient":"10.43.0.2","relayedServer":"10.83.0.250","port":444,"protocol":"TLSv1.3","request":"GET / HTTP/1.1","status":200}';
    expect(parseAccessLog(line)[0]).toMatchObject({
      relayedClient: '10.43.0.2',
      relayedServer: '10.83.0.250',
    });
  });
});
