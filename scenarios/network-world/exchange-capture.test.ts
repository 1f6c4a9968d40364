import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { pass } from '../../harness/checks/verdict.ts';
import { droppedByKernel } from '../../sims/router/started-router.ts';
import {
  nothingCrossesExchange,
  packetSources,
  unlessBlind,
  type ExchangeCapture,
} from './exchange-capture.ts';

describe('packet sources of a capture', () => {
  it("counts tcpdump's -nn lines by source address, with or without a port", () => {
    expect(
      packetSources([
        '1764669600.000001 IP 10.40.0.2.40000 > 10.80.0.4.443: Flags [S], seq 1, length 0',
        '1764669600.000002 IP 10.40.0.5 > 10.80.0.4: ICMP echo request, id 7, seq 1, length 64',
        '1764669600.000003 IP 10.40.0.5.53000 > 10.80.0.4.53: 1+ A? api.example. (29)',
        '1764669600.000004 ARP, Request who-has 10.80.0.4 tell 10.80.0.1, length 28',
      ]),
    ).toEqual({ '10.40.0.2': 1, '10.40.0.5': 2, unparsed: 1 });
  });
});

describe('a capture that missed packets', () => {
  const empty = (dropped?: number): ExchangeCapture => ({
    router: 'ixp',
    device: 'any',
    filter: 'src net 10.40.0.0/16',
    packets: 0,
    sources: {},
    lines: [],
    ...(dropped === undefined ? {} : { droppedByKernel: dropped }),
  });

  it("reads the kernel's drops from tcpdump's closing statistics", () => {
    const log = [
      'tcpdump: listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes',
      '12 packets captured',
      '15 packets received by filter',
      '3 packets dropped by kernel',
    ].join('\n');
    expect(droppedByKernel(log)).toBe(3);
    expect(droppedByKernel('tcpdump: listening on any')).toBeUndefined();
  });

  it('turns a pass resting on an empty capture into unknown when the capture dropped packets or never said', () => {
    expect(unlessBlind(empty(0), pass('nothing crossed')).status).toBe('pass');
    expect(unlessBlind(empty(3), pass('nothing crossed'))).toMatchObject({
      status: 'unknown',
      summary: expect.stringContaining('missed 3 packet(s)') as string,
    });
    expect(unlessBlind(empty(), pass('nothing crossed')).status).toBe('unknown');
  });

  it('lets a failure stand whatever the capture missed: what it holds crossed', async () => {
    const check = nothingCrossesExchange({
      name: 'nothing-crosses',
      description: 'nothing crosses',
      passed: 'nothing crossed',
      failed: (n) => `${String(n)} crossed`,
    });
    const history = new History();
    const lines = [
      '1764669600.000001 IP 10.64.0.2.40000 > 10.80.0.4.9: UDP, length 19',
      '1764669600.000002 IP 10.40.0.2.40000 > 10.80.0.4.443: Flags [S]',
    ];
    history.record('observation', 'exchange-capture', {
      ...empty(5),
      packets: lines.length,
      lines,
      sources: packetSources(lines),
      canary: { source: '10.64.0.2', destination: '10.80.0.4', sent: 1 },
    });
    expect((await check.verify(history)).status).toBe('fail');
  });
});

describe('the canary of a capture that must stay empty', () => {
  const check = nothingCrossesExchange({
    name: 'nothing-crosses',
    description: 'nothing crosses',
    passed: 'nothing crossed',
    failed: (n) => `${String(n)} crossed`,
  });
  const canary = { source: '10.64.0.2', destination: '10.41.0.4', sent: 3 };
  const canaryLine = (i: number) =>
    `1764669600.00000${String(i)} IP 10.64.0.2.40000 > 10.41.0.4.9: UDP, length 19`;
  const capture = (lines: string[]): ExchangeCapture => ({
    router: 'ixp',
    device: 'eth1',
    filter: 'dst net 10.41.0.0/16',
    packets: lines.length,
    sources: packetSources(lines),
    lines,
    droppedByKernel: 0,
    canary,
  });
  const verdictOn = async (observed: ExchangeCapture) => {
    const history = new History();
    history.record('observation', 'exchange-capture', observed);
    return check.verify(history);
  };

  it('passes a capture that holds the canary and nothing else', async () => {
    const verdict = await verdictOn(capture([1, 2, 3].map(canaryLine)));
    expect(verdict.status).toBe('pass');
    expect(verdict.observed).toBe('0 packet(s) besides 3 of the canary (dst net 10.41.0.0/16)');
  });

  it('fails on any packet besides the canary', async () => {
    const verdict = await verdictOn(
      capture([
        canaryLine(1),
        '1764669600.000009 IP 10.40.0.3.41000 > 10.41.0.4.443: Flags [S], seq 1, length 0',
      ]),
    );
    expect(verdict.status).toBe('fail');
    expect(verdict.summary).toBe('1 crossed');
  });

  it('is unknown when the capture missed the canary, or none was sent', async () => {
    const blind = await verdictOn(capture([]));
    expect(blind.status).toBe('unknown');
    expect(blind.summary).toContain('positive control failed: the canary ixp sent');
    const unsent = capture([]);
    delete unsent.canary;
    expect((await verdictOn(unsent)).status).toBe('unknown');
  });
});
