import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import {
  keysGoneFromMemory,
  servicesStoppedAfterLowBattery,
  servesOnlyAfterUnsealAndUnwrap,
} from './power-checks.ts';
import { firstServedAt, stoppedServingBy } from './store-availability.ts';

const lb = 1_000_000;

function scan(phase: string, startedAtMs: number, finishedAtMs: number, found: boolean) {
  return {
    phase,
    host: 'vm1',
    startedAtMs,
    finishedAtMs,
    processes: [
      {
        pid: 7,
        command: 'python3 -m residency.main',
        regions: 10,
        bytes: 1000,
        hits: found ? [{ label: 'data-key', address: '0x1', region: '[heap]' }] : [],
      },
    ],
    files: [],
    filesScanned: 0,
    errors: [],
    foundInMemory: found ? ['data-key'] : [],
  };
}

function outageHistory(scans: ReturnType<typeof scan>[]): History {
  const history = new History();
  for (const s of scans) history.record('observation', 'memory-scan', s);
  history.record('observation', 'power-timeline', {
    lossWallMs: lb - 7_000,
    lowBatteryWallMs: lb,
    lowBatterySource: 'test',
    exhaustedWallMs: lb + 8_000,
  });
  return history;
}

describe('keys-gone-from-memory', () => {
  const check = keysGoneFromMemory('keys-gone', 20_000);

  it('passes when a clean scan finishes within the bound, and reports when the key was last seen', async () => {
    const verdict = await check.verify(
      outageHistory([
        scan('before-outage', lb - 20_000, lb - 19_000, true),
        scan('after-lb', lb + 1_000, lb + 3_000, true),
        scan('after-lb', lb + 3_100, lb + 6_000, false),
      ]),
    );
    expect(verdict.status).toBe('pass');
    expect(verdict.summary).toBe(
      'keys gone from memory by 6000 ms after LB (last seen 3000 ms after LB)',
    );
  });

  it('fails while a scan still finds the key, and when the first clean scan comes too late', async () => {
    expect(
      (
        await check.verify(
          outageHistory([
            scan('before-outage', 0, 1, true),
            scan('after-lb', lb + 1_000, lb + 25_000, true),
          ]),
        )
      ).status,
    ).toBe('fail');
    expect(
      (
        await check.verify(
          outageHistory([
            scan('before-outage', 0, 1, true),
            scan('after-lb', lb + 19_000, lb + 21_000, false),
          ]),
        )
      ).status,
    ).toBe('fail');
  });

  it('cannot decide when the scan did not see the key even before the outage', () => {
    expect(() =>
      check.verify(
        outageHistory([
          scan('before-outage', 0, 1, false),
          scan('after-lb', lb + 1_000, lb + 2_000, false),
        ]),
      ),
    ).toThrow(/did not find the key in memory even before the outage/);
  });
});

describe('store availability', () => {
  const probe = (startedAtMs: number, connected: boolean) => ({
    startedAtMs,
    finishedAtMs: startedAtMs + 10,
    connected,
    detail: '',
  });

  it('finds when the store stopped for good and when it first served', () => {
    const probes = [
      probe(100, true),
      probe(200, false),
      probe(300, true),
      probe(400, false),
      probe(500, false),
    ];
    expect(stoppedServingBy(probes, 0)).toEqual({ byMs: 410, lastServedAtMs: 310 });
    expect(stoppedServingBy([...probes, probe(600, true)], 0)).toBeUndefined();
    expect(firstServedAt(probes, 250)).toBe(310);
  });

  it('does not count the machine losing power as the services stopping', async () => {
    const history = new History();
    history.record('observation', 'power-timeline', {
      lossWallMs: lb - 7_000,
      lowBatteryWallMs: lb,
      lowBatterySource: 'test',
      exhaustedWallMs: lb + 8_000,
      powerOffWallMs: lb + 9_000,
    });
    history.record('observation', 'store-availability', {
      probes: [probe(lb - 1_000, true), probe(lb + 5_000, true), probe(lb + 9_500, false)],
    });
    expect((await servicesStoppedAfterLowBattery('stopped', 20_000).verify(history)).status).toBe(
      'fail',
    );
  });
});

describe('serves-only-after-unseal-and-unwrap', () => {
  const check = servesOnlyAfterUnsealAndUnwrap('restore');
  const restoreHistory = (
    commands: { atMs: number; name: string }[],
    calls: { atMs: number; call: string }[],
    hsm: string | undefined,
  ) => {
    const history = new History();
    history.record('observation', 'store-availability', {
      probes: [{ startedAtMs: 5_000, finishedAtMs: 5_010, connected: true, detail: '' }],
    });
    history.record('observation', 'tpm-bus', {
      powerOnWallMs: 1_000,
      commands: commands.map((c) => ({ ...c, code: 0 })),
    });
    history.record('observation', 'hsm-calls', { hsm, calls });
    return history;
  };

  it('passes when the TPM unseal and the HSM unwrap come before the store answers', async () => {
    expect(
      (
        await check.verify(
          restoreHistory(
            [{ atMs: 2_000, name: 'Unseal' }],
            [{ atMs: 3_000, call: 'C_Decrypt' }],
            'hsm',
          ),
        )
      ).status,
    ).toBe('pass');
  });

  it('fails without an unseal, or without an unwrap when an HSM serves the host', async () => {
    expect(
      (await check.verify(restoreHistory([], [{ atMs: 3_000, call: 'C_Decrypt' }], 'hsm'))).status,
    ).toBe('fail');
    expect(
      (await check.verify(restoreHistory([{ atMs: 2_000, name: 'Unseal' }], [], 'hsm'))).status,
    ).toBe('fail');
    expect(
      (await check.verify(restoreHistory([{ atMs: 2_000, name: 'Unseal' }], [], undefined))).status,
    ).toBe('pass');
  });
});
