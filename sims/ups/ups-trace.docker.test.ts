import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readUps } from '../../harness/checks/probes/ups-probe.ts';
import type { StartedContainer } from '../../harness/runtime/started-container.ts';
import { RunClock } from '../../harness/util/run-clock.ts';
import { waitUntil } from '../../harness/util/wait-until.ts';
import { closeSimLab, openSimLab, type SimLab } from '../../harness/testing/sim-lab.ts';
import { parseUpsTrace } from './ups-trace.ts';
import { startUps, upsImage, upsOptionsSchema, type StartedUps } from './ups.ts';

describe('a recorded UPS trace played into NUT upsd', () => {
  let lab: SimLab;
  let ups: StartedUps;
  let observer: StartedContainer;

  const statusBecomes = (status: string) =>
    waitUntil(
      async () => {
        const read = await readUps(observer, ups);
        return read.ok && read.status.join(' ') === status ? read : undefined;
      },
      {
        what: "the UPS's status read with upsc",
        expected: status,
        timeoutMs: 15_000,
        intervalMs: 100,
      },
    );

  beforeAll(async () => {
    lab = await openSimLab({
      name: 'ups-trace',
      simImage: upsImage,
      subnets: ['10.251.117.0/24', '10.251.118.0/24', '10.251.119.0/24'],
    });
    observer = lab.observer;
    ups = await startUps({
      session: lab.session,
      image: lab.image,
      service: {
        name: 'ups1',
        kind: 'ups',
        zone: 'lab',
        legs: [],
        options: upsOptionsSchema.parse({}),
      },
      network: { name: lab.network.name, address: lab.address(3) },
    });
    // The world's clock runs at 100x; the trace is played as recorded (speedup 1).
    await ups.drive(new RunClock(Date.now(), 100));
  });

  afterAll(async () => {
    await ups.stop();
    await closeSimLab(lab);
  });

  it('reports an upslog recording (OL, OB, OB LB) on its own timeline, then the model again', async () => {
    const trace = parseUpsTrace(
      [
        '20260301 120000 100 230.0 35 [OL] NA 50.0',
        '20260301 120001 97 0.0 35 [OB DISCHRG] NA NA',
        '20260301 120003 41 0.0 36 [OB LB] NA NA',
      ].join('\n'),
      'outage.log',
    );
    const requestedAtMs = Date.now();
    await ups.replay(trace, { speedup: 1, leadMs: 1_000 });
    const onBattery = await statusBecomes('OB DISCHRG');
    expect(onBattery.chargePercent).toBe(97);
    const low = await statusBecomes('OB LB');
    expect(low.chargePercent).toBe(41);
    // Recorded 3 s after the trace's first line, which comes 1 s after the request: played in
    // recorded time, not in the world's 100x (which would reach LB 30 ms after the start).
    const written = (await ups.statesWritten()).find((w) => w.values['ups.status'] === 'OB LB');
    expect(written?.atMs).toBeGreaterThanOrEqual(requestedAtMs + 4_000 - 100);
    expect(written?.atMs).toBeLessThan(Date.now());
    expect(low.atMs).toBeGreaterThanOrEqual(requestedAtMs + 4_000 - 100);
    expect(ups.replayedAt(ups.runClock.modelSecondsNow())?.['ups.status']).toBe('OB LB');

    await ups.endReplay();
    const back = await statusBecomes('OL');
    expect(back.chargePercent).toBe(100);
    expect(ups.replayedAt(ups.runClock.modelSecondsNow())).toBeUndefined();
  });
});
