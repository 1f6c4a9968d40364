import { describe, expect, it } from 'vitest';
import type { DatagramProbe } from '../../harness/checks/probes/datagram-probe.ts';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { answersNoForeignEcho, foreignEcho, foreignEchoRecorded } from './foreign-echo.ts';

function probe(target: string, answered: boolean, sent = true): DatagramProbe {
  return {
    from: 'observer-foreign',
    proto: 'icmp',
    target,
    sent,
    answered,
    detail: answered ? 'echo reply received' : 'sent; no echo reply',
  };
}

function history(host: DatagramProbe, control: DatagramProbe): History {
  const h = new History();
  h.record('observation', foreignEcho.name, {
    phase: 'scanned',
    from: 'observer-foreign',
    toHost: host,
    toControl: control,
  });
  return h;
}

const check = answersNoForeignEcho('no-echo', 'scanned', 'IPv4');
const status = async (h: History) => (await checkStatuses([check], h))['no-echo'];

describe('answersNoForeignEcho', () => {
  it('passes a silent host behind a path that carried the control echo', async () => {
    expect(await status(history(probe('10.40.0.4', false), probe('10.40.0.2', true)))).toBe('pass');
  });

  it('fails a host that answered the foreign echo requests', async () => {
    expect(await status(history(probe('10.40.0.4', true), probe('10.40.0.2', true)))).toBe('fail');
  });

  it('is unknown when the control got no reply, the request was never sent, or nothing was observed', async () => {
    expect(await status(history(probe('10.40.0.4', false), probe('10.40.0.2', false)))).toBe(
      'unknown',
    );
    expect(await status(history(probe('10.40.0.4', false, false), probe('10.40.0.2', true)))).toBe(
      'unknown',
    );
    expect(await status(new History())).toBe('unknown');
  });
});

describe('foreignEchoRecorded', () => {
  const recorded = foreignEchoRecorded('recorded', 'scanned', 'IPv6');
  const pinger = 'fd5a:50:0:0::2';
  function echoAndLog(
    lines: string[],
    controlAnswered = true,
    fromAddress: string | null = pinger,
  ): History {
    const h = new History();
    h.record('observation', foreignEcho.name, {
      phase: 'scanned',
      from: 'observer-foreign',
      ...(fromAddress === null ? {} : { fromAddress }),
      toHost: probe('fd5a:40::4', false),
      toControl: probe('fd5a:40::2', controlAnswered),
    });
    h.record('observation', 'messages-log', {
      phase: 'scanned',
      host: 'vm1',
      present: true,
      lines,
    });
    return h;
  }
  const martian = (src: string) =>
    `Dec  6 14:30:00 vm1 Martian Source IN=eth0 OUT= SRC=${src} DST=fd5a:40::4 PROTO=ICMPv6 TYPE=128`;
  const verdictOf = async (h: History) => (await checkStatuses([recorded], h))['recorded'];

  it("passes a record of the pinger's address, in another written form too", async () => {
    expect(await verdictOf(echoAndLog([martian('fd5a:0050:0000:0000:0000:0000:0000:0002')]))).toBe(
      'pass',
    );
  });

  it('fails when only other sources, or none, were recorded', async () => {
    expect(await verdictOf(echoAndLog([martian('fd5a:50::9')]))).toBe('fail');
    expect(await verdictOf(echoAndLog([]))).toBe('fail');
  });

  it("is unknown when the control echo got no reply or the pinger's address is missing", async () => {
    expect(await verdictOf(echoAndLog([], false))).toBe('unknown');
    expect(await verdictOf(echoAndLog([martian(pinger)], true, null))).toBe('unknown');
  });
});
