import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { pullOnlyChecks } from './pull-only-checks.ts';

/** The machine's settings as read from /proc/sys; `change` sets one of them otherwise. */
function tuning(change: Record<string, string> = {}): History {
  const h = new History();
  h.record('observation', 'network-tuning', {
    machine: 'vm1-machine',
    somaxconn: '4096',
    logMartians: '1',
    rpFilter: '1',
    acceptSourceRoute: '0',
    ...change,
  });
  return h;
}

const networkTuning = async (h: History) =>
  (await checkStatuses(pullOnlyChecks, h))['network-tuning'];

describe('network-tuning', () => {
  it("passes the manual's settings", async () => {
    expect(await networkTuning(tuning())).toBe('pass');
  });

  it('fails each setting that differs, source routing included', async () => {
    const changes: Record<string, string>[] = [
      { somaxconn: '128' },
      { logMartians: '0' },
      { rpFilter: '2' },
      { acceptSourceRoute: '1' },
    ];
    for (const change of changes)
      expect(await networkTuning(tuning(change)), JSON.stringify(change)).toBe('fail');
  });

  it('says unknown when the settings were never read', async () => {
    expect(await networkTuning(new History())).toBe('unknown');
  });
});

/** Two pulls around a foreign scan from 10.80.0.9, and the scanner's martian records. */
function counters(before: number, after: number | string, martians: number): History {
  const h = new History();
  const pull = (value: number | string) => ({
    from: 'observer-sovereign',
    url: 'http://10.40.0.3:9100/metrics',
    status: 200,
    body: JSON.stringify({ egress_dropped_packets: 0, foreign_ingress_packets: value }),
  });
  h.record('observation', 'sovereign-pull', pull(before));
  h.record('observation', 'foreign-scan', {
    from: 'observer-foreign',
    fromAddress: '10.80.0.9',
    target: '10.40.0.3',
    attempts: [],
  });
  h.record('observation', 'sovereign-pull-after-scan', pull(after));
  h.record('observation', 'messages-log', {
    phase: 'scanned',
    host: 'vm1',
    present: true,
    lines: Array.from(
      { length: martians },
      (_, i) => `Dec  6 vm1 Martian Source IN=eth0 SRC=10.80.0.9 DST=10.40.0.3 DPT=${String(i)} `,
    ),
  });
  return h;
}

const countersStatus = async (h: History) =>
  (await checkStatuses(pullOnlyChecks, h))['fence-counters-count-foreign-packets'];

describe('fence-counters-count-foreign-packets', () => {
  it('passes a counter that grew by the martian records or more', async () => {
    expect(await countersStatus(counters(4, 30, 12))).toBe('pass');
  });

  it('fails a counter that stayed put or grew less than the records', async () => {
    expect(await countersStatus(counters(0, 0, 12))).toBe('fail');
    expect(await countersStatus(counters(4, 10, 12))).toBe('fail');
    expect(await countersStatus(counters(4, 4, 0))).toBe('fail');
  });

  it('is unknown when a pull holds no number', async () => {
    expect(await countersStatus(counters(4, 'many', 12))).toBe('unknown');
  });
});
