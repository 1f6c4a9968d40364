import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { RunProfiler } from '../util/time-profile.ts';
import { instrumentEngine } from './engine-instrument.ts';

/** A stand-in for dockerode's modem: answers every request after a moment, as the engine would. */
function fakeDocker(): { docker: Docker; dialled: string[] } {
  const dialled: string[] = [];
  const modem = {
    dial(options: { method: string; path: string }, callback: (e: unknown, d: unknown) => void) {
      dialled.push(`${options.method} ${options.path}`);
      setTimeout(() => {
        callback(null, { ok: true });
      }, 2);
    },
  };
  return { docker: { modem } as unknown as Docker, dialled };
}

function request(docker: Docker, method: string, path: string): Promise<unknown> {
  const modem = docker.modem as unknown as {
    dial(o: object, cb: (e: unknown, d: unknown) => void): void;
  };
  return new Promise((resolve, reject) => {
    modem.dial({ method, path }, (error, data) => {
      if (error === null) resolve(data);
      else reject(error instanceof Error ? error : new Error('engine error'));
    });
  });
}

describe('instrumentEngine', () => {
  it('times every request made inside a run by its kind, and passes answers through', async () => {
    const { docker, dialled } = fakeDocker();
    instrumentEngine(docker);
    instrumentEngine(docker);
    const profiler = new RunProfiler();
    const answer = await profiler.run(async () => {
      await request(docker, 'POST', '/containers/create?');
      await request(docker, 'POST', '/containers/c1/exec');
      return request(docker, 'POST', '/containers/c1/start?');
    });
    await request(docker, 'DELETE', '/containers/c1');
    expect(answer).toEqual({ ok: true });
    expect(dialled).toHaveLength(4);
    const profile = profiler.finish();
    expect(profile.engineRequests).toBe(3);
    expect(profile.engineCalls.map((c) => [c.kind, c.count]).sort()).toEqual([
      ['container create', 1],
      ['container start', 1],
    ]);
  });
});
