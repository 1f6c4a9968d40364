import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { egressPullName, egressWindowPhase, pullOnlyChecks } from './pull-only-checks.ts';

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

/** Each counter at the three pulls: before the datagrams, after them, after the scan. */
interface Counters {
  ingress: [number, number | string];
  egress?: [number, number | string];
  martians: number;
  fenceRecords?: number;
}

/**
 * Two pulls around three datagrams from the host to 10.80.0.9 and a foreign scan from it, with
 * the scanner's martian records and the fence's records of the datagrams.
 */
function counters(c: Counters): History {
  const h = new History();
  // The egress window is the first two pulls, the ingress window the last two: each counter
  // holds still in the other's window.
  const egress = c.egress ?? [0, 3];
  const pull = (at: 0 | 1 | 2) => ({
    from: 'observer-sovereign',
    url: 'http://10.40.0.3:9100/metrics',
    status: 200,
    body: JSON.stringify({
      egress_dropped_packets: egress[Math.min(at, 1)],
      foreign_ingress_packets: c.ingress[Math.max(0, at - 1)],
    }),
  });
  h.record('observation', 'sovereign-pull', pull(0));
  h.record('observation', 'datagram-attempts', {
    phase: egressWindowPhase,
    host: 'vm1',
    attempts: [514, 123, 161].map((port) => ({
      from: 'vm1',
      proto: 'udp',
      target: `10.80.0.9:${String(port)}`,
      sent: false,
      answered: false,
      detail: 'EPERM',
      role: 'foreign-observer',
      port,
    })),
  });
  h.record('observation', egressPullName, pull(1));
  h.record('observation', 'foreign-scan', {
    from: 'observer-foreign',
    fromAddress: '10.80.0.9',
    target: '10.40.0.3',
    attempts: [],
  });
  h.record('observation', 'sovereign-pull-after-scan', pull(2));
  h.record('observation', 'messages-log', {
    phase: 'scanned',
    host: 'vm1',
    present: true,
    lines: [
      ...Array.from(
        { length: c.martians },
        (_, i) => `Dec  6 vm1 Martian Source IN=eth0 SRC=10.80.0.9 DST=10.40.0.3 DPT=${String(i)} `,
      ),
      ...Array.from(
        { length: c.fenceRecords ?? 3 },
        (_, i) =>
          `Dec  6 vm1 GEOGRAPHIC_FENCE_ERROR IN= OUT=eth0 SRC=10.40.0.3 DST=10.80.0.9 PROTO=UDP DPT=${String(i)} `,
      ),
    ],
  });
  return h;
}

const counterStatus = async (check: string, c: Counters) =>
  (await checkStatuses(pullOnlyChecks, counters(c)))[check];

describe('fence-counters-count-foreign-packets', () => {
  const status = (c: Counters) => counterStatus('fence-counters-count-foreign-packets', c);

  it('passes a counter that grew by the martian records or more, within ten times as many', async () => {
    expect(await status({ ingress: [4, 30], martians: 12 })).toBe('pass');
  });

  it('fails a counter that stayed put, grew less than the records, or counts bytes', async () => {
    expect(await status({ ingress: [0, 0], martians: 12 })).toBe('fail');
    expect(await status({ ingress: [4, 10], martians: 12 })).toBe('fail');
    expect(await status({ ingress: [4, 4], martians: 0 })).toBe('fail');
    expect(await status({ ingress: [240, 960], martians: 12 })).toBe('fail');
  });

  it('is unknown when a pull holds no number', async () => {
    expect(await status({ ingress: [4, 'many'], martians: 12 })).toBe('unknown');
  });
});

describe('fence-counters-count-egress-drops', () => {
  const status = (c: Omit<Counters, 'ingress' | 'martians'>) =>
    counterStatus('fence-counters-count-egress-drops', { ingress: [0, 12], martians: 12, ...c });

  it("passes a counter that grew by the fence's records of the host's datagrams", async () => {
    expect(await status({ egress: [2, 5] })).toBe('pass');
  });

  it('fails a counter that never moved (another chain) or counts bytes', async () => {
    expect(await status({ egress: [0, 0] })).toBe('fail');
    expect(await status({ egress: [0, 12], fenceRecords: 0 })).toBe('fail');
    expect(await status({ egress: [84, 168] })).toBe('fail');
  });

  it('is unknown without the datagrams or a numeric counter', async () => {
    expect(await status({ egress: [0, 'n/a'] })).toBe('unknown');
    const h = counters({ ingress: [0, 12], martians: 12 });
    const without = new History();
    for (const e of h.events.filter((e) => e.name !== 'datagram-attempts'))
      without.record(e.kind, e.name, e.data);
    expect(
      (await checkStatuses(pullOnlyChecks, without))['fence-counters-count-egress-drops'],
    ).toBe('unknown');
  });
});
