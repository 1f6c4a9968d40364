import { describe, expect, it } from 'vitest';
import type { StartedContainer } from '../../harness/runtime/started-container.ts';
import { RunClock } from '../../harness/util/run-clock.ts';
import { bmcOptionsSchema, StartedBmc } from './bmc.ts';
import { parseBmcTrace } from './bmc-trace.ts';
import { ThermalModel } from './thermal-model.ts';

/** A BMC whose curve uploads are kept in memory (what the container's feeder would read). */
function bmcWithoutContainer(): { bmc: StartedBmc; uploads: string[] } {
  const uploads: string[] = [];
  const container = {
    writeFile: (_path: string, text: string) => {
      uploads.push(text);
      return Promise.resolve();
    },
  } as unknown as StartedContainer;
  const options = bmcOptionsSchema.parse({ machine: 'rack1' });
  const bmc = new StartedBmc(
    'rack1-bmc',
    '10.0.0.4',
    container,
    options,
    { user: 'sovh', password: 'x', community: 'ro' },
    new ThermalModel(options.thermal, options.initial),
  );
  return { bmc, uploads };
}

describe('the BMC keeps the trace it played after its heal', () => {
  // The inlet from 30 C, the CPU once; a reading 500 recorded s on that the heal comes before.
  const trace = parseBmcTrace('0,inlet,30\n0,cpu,70\n10,inlet,31\n500,inlet,16\n');

  it('serves the trace while it plays, the model after the heal, and keeps what it served', async () => {
    const { bmc, uploads } = bmcWithoutContainer();
    const clock = new RunClock(Date.now() - 1_000, 10);
    await bmc.drive(clock);
    try {
      expect(bmc.lastPlayedTrace()).toBeUndefined();
      const { startS } = await bmc.playTrace(trace, { leadMs: 500 });
      expect(bmc.tracing).toBe(true);
      expect(bmc.readingsAt(startS + 5)).toMatchObject({ inlet: 30.5, cpu: 70 });
      expect(bmc.tracedSensorsAt(startS + 5)).toEqual(['inlet', 'cpu']);
      expect(bmc.tracedSensorsAt(startS - 1)).toEqual([]);
      const model = bmc.model.readingsAt(startS + 5);

      // The heal comes about 15 model s after the start (1.5 wall s at 10x).
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const uploadsBefore = uploads.length;
      // The BMC records the trace's end when the heal begins; the heal's upload may take a
      // moment on a loaded machine before it returns.
      const healBeganMs = Date.now();
      await bmc.endTrace();
      const healedS = clock.modelSecondsNow();
      expect(bmc.tracing).toBe(false);
      expect(uploads.length).toBe(uploadsBefore + 1);
      // The new curve starts on the model; the past still reads what the trace served then.
      const curve = JSON.parse(uploads.at(-1) ?? '{}') as { rows: number[][] };
      expect(curve.rows[0]?.[0]).toBe(Math.round(bmc.model.readingsAt(healedS).inlet * 1000));
      expect(bmc.readingsAt(startS + 5)).toMatchObject({ inlet: 30.5, cpu: 70 });
      expect(bmc.readingsAt(healedS + 1)).toEqual(bmc.model.readingsAt(healedS + 1));
      expect(bmc.tracedSensorsAt(healedS + 1)).toEqual([]);
      expect(model.inlet).not.toBe(30.5);

      const played = bmc.lastPlayedTrace();
      expect(played).toMatchObject({
        healed: true,
        speedup: 10,
        startWallMs: Math.round(clock.wallMsAt(startS)),
      });
      // The reading 500 recorded s on came after the heal: it was never served.
      expect(played?.timeline.map((r) => [r.sensor, r.celsius, r.wallMs])).toEqual([
        ['inlet', 30, Math.round(clock.wallMsAt(startS))],
        ['cpu', 70, Math.round(clock.wallMsAt(startS))],
        ['inlet', 31, Math.round(clock.wallMsAt(startS + 10))],
      ]);
      expect(played?.untilWallMs).toBeGreaterThanOrEqual(healBeganMs - 1);
      expect(played?.untilWallMs).toBeLessThanOrEqual(Math.round(clock.wallMsAt(healedS)) + 1);
      expect(played?.untilWallMs).toBeLessThan(Date.now() + 1);
    } finally {
      await bmc.stop();
    }
  });

  it('gives, for a trace still playing, only the readings played so far; a new trace replaces it', async () => {
    const { bmc } = bmcWithoutContainer();
    const clock = new RunClock(Date.now() - 1_000, 10);
    await bmc.drive(clock);
    try {
      const first = await bmc.playTrace(trace, { leadMs: 500 });
      const startMs = clock.wallMsAt(first.startS);
      // Before its start nothing was played; 5 recorded s in, its first readings; past its end, all.
      expect(bmc.lastPlayedTrace(startMs - 100)?.timeline).toEqual([]);
      const playing = bmc.lastPlayedTrace(startMs + 500);
      expect(playing?.healed).toBe(false);
      expect(playing?.timeline.map((r) => r.celsius)).toEqual([30, 70]);
      const later = bmc.lastPlayedTrace(startMs + 60_000);
      expect(later?.timeline.map((r) => r.celsius)).toEqual([30, 70, 31, 16]);

      const { startS } = await bmc.playTrace(parseBmcTrace('0,exhaust,40\n'), {
        leadMs: 500,
        speedup: 20,
      });
      const second = bmc.lastPlayedTrace(clock.wallMsAt(startS) + 100);
      expect(second?.timeline.map((r) => r.sensor)).toEqual(['exhaust']);
      expect(second?.speedup).toBe(20);
      // The first trace no longer drives the inlet.
      expect(bmc.tracedSensorsAt(startS + 1)).toEqual(['exhaust']);
    } finally {
      await bmc.stop();
    }
  });
});
