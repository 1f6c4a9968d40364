import { describe, expect, it } from 'vitest';
import { readPingOutput, readUdpOutput } from './datagram-probe.ts';

describe('reading a UDP probe', () => {
  it('tells an answer, a silent drop and a refused send apart', () => {
    expect(readUdpOutput('ANSWERED ENDPOINT foreign-api 53\n', 'p', '10.80.0.5:53', 2)).toEqual({
      from: 'p',
      proto: 'udp',
      target: '10.80.0.5:53',
      sent: true,
      answered: true,
      detail: 'answered: ENDPOINT foreign-api 53',
    });
    expect(readUdpOutput('SILENT\n', 'p', 't', 2)).toMatchObject({
      sent: true,
      answered: false,
      detail: 'sent; no answer within 2s',
    });
    expect(readUdpOutput('REFUSED [Errno 1] Operation not permitted\n', 'p', 't', 2)).toMatchObject(
      {
        sent: false,
        answered: false,
        detail: 'send refused: [Errno 1] Operation not permitted',
      },
    );
  });

  it('never reads a crashed probe as sent', () => {
    expect(readUdpOutput('UNBOUND [Errno 98] Address already in use\n', 'p', 't', 2)).toMatchObject(
      { sent: false, answered: false, notTried: true },
    );
    expect(readUdpOutput('Traceback (most recent call last):', 'p', 't', 2)).toMatchObject({
      sent: false,
      answered: false,
    });
  });
});

describe('reading a ping', () => {
  it('tells an echo reply, a silent drop and a refused send apart', () => {
    const replied = `PING 10.80.0.5 (10.80.0.5) 56(84) bytes of data.
64 bytes from 10.80.0.5: icmp_seq=1 ttl=62 time=0.1 ms

--- 10.80.0.5 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms`;
    expect(readPingOutput(replied, 'p', '10.80.0.5')).toEqual({
      from: 'p',
      proto: 'icmp',
      target: '10.80.0.5',
      sent: true,
      answered: true,
      detail: 'echo reply received',
    });
    const lost = `--- 10.80.0.5 ping statistics ---
1 packets transmitted, 0 received, 100% packet loss, time 0ms`;
    expect(readPingOutput(lost, 'p', '10.80.0.5')).toMatchObject({ sent: true, answered: false });
    const refused = `ping: sendmsg: Operation not permitted
--- 10.80.0.5 ping statistics ---
1 packets transmitted, 0 received, 100% packet loss, time 0ms`;
    expect(readPingOutput(refused, 'p', '10.80.0.5')).toMatchObject({
      sent: false,
      answered: false,
      detail: 'send refused: Operation not permitted',
    });
  });
});
