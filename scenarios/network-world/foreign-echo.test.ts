import { describe, expect, it } from 'vitest';
import type { DatagramProbe } from '../../harness/checks/probes/datagram-probe.ts';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { answersNoForeignEcho, foreignEcho } from './foreign-echo.ts';

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
