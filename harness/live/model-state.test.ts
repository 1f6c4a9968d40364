import { describe, expect, it } from 'vitest';
import { StartedUps, upsOptionsSchema } from '../../sims/ups/ups.ts';
import { UpsModel } from '../../sims/ups/ups-model.ts';
import { parseUpsTrace } from '../../sims/ups/ups-trace.ts';
import type { StartedContainer } from '../runtime/started-container.ts';
import { RunClock } from '../util/run-clock.ts';
import type { World } from '../world/world.ts';
import { modelState } from './model-state.ts';

describe('modelState', () => {
  it('reports what a UPS trace has upsd report while it plays, and the battery model after it', async () => {
    const uploads: string[] = [];
    const container = {
      writeFile: (_path: string, text: string) => {
        uploads.push(text);
        return Promise.resolve();
      },
    } as unknown as StartedContainer;
    const ups = new StartedUps(
      'ups1',
      '10.0.0.3',
      container,
      upsOptionsSchema.parse({}),
      { user: 'monitor', password: 'x' },
      new UpsModel(),
    );
    const world = { allSims: () => [ups] } as unknown as World;
    const clock = new RunClock(Date.now(), 10);
    await ups.drive(clock);
    try {
      const before = modelState(world, clock).ups[0];
      expect(before).toMatchObject({ status: 'OL', chargePercent: 100, mains: true });
      expect(before).not.toHaveProperty('source');

      await ups.replay(
        parseUpsTrace(
          'ups.status: OB\nbattery.charge: 80\nTIMER 30\nups.status: OB LB\nbattery.charge: 20\n',
        ),
        { leadMs: 0 },
      );
      // Model seconds after the trace's start: its first step, then its second (30 s on).
      const startS = clock.modelSecondsNow();
      const at = (modelS: number) =>
        modelState(world, clock, clock.wallMsAt(startS + modelS)).ups[0];
      expect(at(10)).toMatchObject({
        status: 'OB',
        chargePercent: 80,
        mains: false,
        source: 'trace',
      });
      expect(at(31)).toMatchObject({ status: 'OB LB', chargePercent: 20, source: 'trace' });
      expect(JSON.parse(uploads.at(-1) ?? '{}')).toMatchObject({
        steps: [
          { atS: 0 },
          { values: { 'ups.status': 'OB' } },
          { values: { 'ups.status': 'OB LB' } },
        ],
      });

      await ups.endReplay();
      expect(at(31)).toMatchObject({ status: 'OL', chargePercent: 100, mains: true });
      expect(at(31)).not.toHaveProperty('source');
    } finally {
      await ups.stop();
    }
  });
});
