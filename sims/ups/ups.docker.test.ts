import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readUps } from '../../harness/checks/probes/ups-probe.ts';
import type { StartedContainer } from '../../harness/runtime/started-container.ts';
import { RunClock } from '../../harness/util/run-clock.ts';
import { waitUntil } from '../../harness/util/wait-until.ts';
import { closeSimLab, openSimLab, type SimLab } from '../../harness/testing/sim-lab.ts';
import { startUps, upsImage, upsOptionsSchema, type StartedUps } from './ups.ts';

describe('the ups simulator (NUT dummy-ups + upsd)', () => {
  let lab: SimLab;
  let ups: StartedUps;
  let observer: StartedContainer;

  const statusBecomes = (wanted: (status: string[]) => boolean, what: string) =>
    waitUntil(
      async () => {
        const read = await readUps(observer, ups);
        return read.ok && wanted(read.status) ? read : undefined;
      },
      {
        what: "the UPS's status read with upsc",
        expected: what,
        timeoutMs: 20_000,
        intervalMs: 200,
      },
    );

  beforeAll(async () => {
    lab = await openSimLab({
      name: 'ups',
      simImage: upsImage,
      subnets: ['10.251.17.0/24', '10.251.18.0/24', '10.251.19.0/24'],
    });
    observer = lab.observer;
    // 600 W from 100 Wh: 600 s of runtime; LB at 50 % (300 s after the loss): at 100x, 3 s.
    const options = upsOptionsSchema.parse({
      battery: { capacityWh: 100, loadW: 600, lowBatteryPercent: 50, lowRuntimeS: 0 },
    });
    ups = await startUps({
      session: lab.session,
      image: lab.image,
      service: { name: 'ups1', kind: 'ups', zone: 'lab', legs: [], options },
      network: { name: lab.network.name, address: lab.address(3) },
    });
    await ups.drive(new RunClock(Date.now(), 100));
  });

  afterAll(async () => {
    await ups.stop();
    await closeSimLab(lab);
  });

  it('is on line with a full battery, over the network on port 3493', async () => {
    const read = await statusBecomes((s) => s.includes('OL'), 'OL');
    expect(read.chargePercent).toBe(100);
    expect(read.runtimeS).toBe(600);
  });

  it('goes on battery at a power loss, drains, and reports LB when the model says', async () => {
    const loss = await ups.powerLoss();
    await statusBecomes((s) => s.includes('OB') && !s.includes('LB'), 'OB');
    const lowBattery = await statusBecomes((s) => s.includes('OB') && s.includes('LB'), 'OB LB');
    const expectedAtMs = ups.runClock.wallMsAt(ups.dischargeTimes().lowBatteryAtS);
    expect(ups.dischargeTimes().lowBatteryAtS - loss.modelS).toBeCloseTo(300, 6);
    // The UPS's feeder writes LB when the model reaches it (to its 100 ms tick), and upsc, read
    // over the network, sees it no earlier.
    const written = (await ups.statesWritten()).find((w) => w.values['ups.status'] === 'OB LB');
    expect(written?.atMs).toBeGreaterThanOrEqual(expectedAtMs - 50);
    expect((written?.atMs ?? 0) - expectedAtMs).toBeLessThan(1_500);
    expect(lowBattery.atMs).toBeGreaterThanOrEqual(expectedAtMs);
    expect(lowBattery.chargePercent).toBeLessThanOrEqual(50);
  });

  it('carries a forced shutdown set through upsd until it is cleared, and recharges on mains', async () => {
    const before = Date.now();
    const set = await ups.forcedShutdown();
    const after = Date.now();
    // upsd's own moment of setting it, as the model recorded it, lies within the call.
    expect(set.wallMs).toBeGreaterThanOrEqual(before - 1);
    expect(set.wallMs).toBeLessThanOrEqual(after + 1);
    expect(ups.forcedShutdownWallMs).toBeCloseTo(set.wallMs, 0);
    await statusBecomes((s) => s.includes('FSD'), 'FSD');
    await ups.powerRestore();
    await ups.clearForcedShutdown();
    const back = await statusBecomes(
      (s) => s.includes('OL') && !s.includes('FSD'),
      'OL without FSD',
    );
    expect(back.status).toContain('CHRG');
  });

  it('replays a recorded .seq file on the run clock', async () => {
    await ups.replay(
      [
        'ups.status: OL',
        'battery.charge: 97',
        'TIMER 100',
        'ups.status: OB',
        'battery.charge: 61',
        'TIMER 100',
        'ups.status: OB LB',
        'battery.charge: 9',
      ].join('\n'),
    );
    const onBattery = await statusBecomes((s) => s.join(' ') === 'OB', 'OB from the recording');
    expect(onBattery.chargePercent).toBe(61);
    const low = await statusBecomes((s) => s.join(' ') === 'OB LB', 'OB LB from the recording');
    expect(low.chargePercent).toBe(9);
    expect(ups.uploads.some((u) => u.source === 'replay')).toBe(true);
    await ups.endReplay();
  });
});
