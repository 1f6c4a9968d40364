import { describe, expect, it } from 'vitest';
import { currentProfiler, RunProfiler, timedCall } from './time-profile.ts';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RunProfiler', () => {
  it('records phases in order, with wall and CPU time', async () => {
    const profiler = new RunProfiler();
    profiler.enter('bring-up');
    await tick(5);
    profiler.enter('schedule');
    const profile = profiler.finish();
    expect(profile.phases.map((p) => p.phase)).toEqual(['bring-up', 'schedule']);
    expect(profile.phases[0]?.wallMs).toBeGreaterThanOrEqual(4);
    for (const p of profile.phases) expect(p.cpuMs).toBeGreaterThanOrEqual(0);
    expect(profile.cpu.userMs + profile.cpu.systemMs).toBeGreaterThanOrEqual(0);
  });

  it('counts calls by kind with their total and longest time, and the time waited', async () => {
    const profiler = new RunProfiler();
    await profiler.run(async () => {
      await Promise.all([
        timedCall('container start', () => tick(20)),
        timedCall('container start', () => tick(5)),
      ]);
      await timedCall('exec', () => tick(5));
    });
    const profile = profiler.finish();
    const start = profile.engineCalls.find((c) => c.kind === 'container start');
    expect(start?.count).toBe(2);
    expect(start?.maxMs).toBeGreaterThanOrEqual(15);
    expect(start?.totalMs).toBeGreaterThanOrEqual(start?.maxMs ?? 0);
    expect(profile.engineCalls.map((c) => c.kind)).toEqual(['container start', 'exec']);
  });

  it('counts overlapping calls once in the time the run waited on the engine', () => {
    let clock = 0;
    const profiler = new RunProfiler(() => clock);
    const first = profiler.begin('container start');
    clock = 10;
    const second = profiler.begin('container start');
    clock = 30;
    first();
    clock = 40;
    second();
    clock = 100;
    profiler.begin('exec')();
    clock = 105;
    const third = profiler.begin('exec');
    clock = 110;
    third();
    third();
    const profile = profiler.finish();
    expect(profile.engineWaitMs).toBe(45);
    expect(profile.engineCalls).toEqual([
      { kind: 'container start', count: 2, totalMs: 60, maxMs: 30 },
      { kind: 'exec', count: 2, totalMs: 5, maxMs: 5 },
    ]);
  });

  it('keeps the calls of runs side by side apart', async () => {
    const a = new RunProfiler();
    const b = new RunProfiler();
    await Promise.all([
      a.run(async () => {
        await timedCall('exec', () => tick(2));
        await timedCall('exec', () => tick(2));
      }),
      b.run(() => timedCall('container stop', () => tick(3))),
    ]);
    expect(a.finish().engineCalls).toEqual([expect.objectContaining({ kind: 'exec', count: 2 })]);
    expect(b.finish().engineCalls).toEqual([
      expect.objectContaining({ kind: 'container stop', count: 1 }),
    ]);
  });

  it('records nothing outside a run, and nothing once finished', async () => {
    expect(currentProfiler()).toBeUndefined();
    await expect(timedCall('exec', () => Promise.resolve(7))).resolves.toBe(7);
    const profiler = new RunProfiler();
    let late: Promise<unknown> = Promise.resolve();
    await profiler.run(() => {
      late = timedCall('exec', () => tick(20));
      return Promise.resolve();
    });
    const profile = profiler.finish();
    await late;
    expect(profiler.finish()).toBe(profile);
    expect(profile.engineCalls).toEqual([]);
  });

  it('counts a failed call too', async () => {
    const profiler = new RunProfiler();
    await profiler
      .run(() => timedCall('container start', () => Promise.reject(new Error('no'))))
      .catch(() => undefined);
    expect(profiler.finish().engineCalls[0]).toMatchObject({ kind: 'container start', count: 1 });
  });
});
