import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EngineWatch, type EngineEvent } from './engine-watch.ts';
import { labelKeys } from './labels.ts';
import { stoppedContainerRef } from './own-stops.ts';

type DialCallback = (error: unknown, data: unknown) => void;

/** An engine with an event stream the test writes to and a ping the test can break. */
function fakeEngine() {
  const newStream = () => Object.assign(new PassThrough(), { socket: { unref: () => undefined } });
  let events = newStream();
  const subscriptions: { since?: number }[] = [];
  const state = { pingError: undefined as (Error & { code?: string }) | undefined };
  const modem = {
    socketPath: '/run/fake.sock',
    dial(_options: unknown, callback: DialCallback) {
      setImmediate(() => {
        callback(null, {});
      });
    },
  };
  const docker = {
    modem,
    getEvents: (options: { since?: number }) => {
      subscriptions.push(options);
      events = newStream();
      return Promise.resolve(events);
    },
    ping: () =>
      state.pingError === undefined ? Promise.resolve('OK') : Promise.reject(state.pingError),
  } as unknown as Docker;
  const send = (event: EngineEvent) => events.write(`${JSON.stringify(event)}\n`);
  return { docker, events: () => events, state, send, modem, subscriptions };
}

const id = 'a'.repeat(64);
const attributes = {
  name: 'sovh-1234abcd-vm1',
  [labelKeys.node]: 'vm1',
  [labelKeys.role]: 'host',
};
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('EngineWatch', () => {
  const watches: EngineWatch[] = [];
  const start = (docker: Docker) => {
    const watch = EngineWatch.start(docker, '1234abcd');
    watches.push(watch);
    return watch;
  };
  afterEach(() => {
    for (const watch of watches.splice(0)) watch.stop();
  });

  it('names a container killed from outside the run, with the signal and the exit code', async () => {
    const engine = fakeEngine();
    const watch = start(engine.docker);
    await settle();
    engine.send({ Action: 'kill', Actor: { ID: id, Attributes: { ...attributes, signal: '9' } } });
    engine.send({
      Action: 'die',
      Actor: { ID: id, Attributes: { ...attributes, exitCode: '137' } },
    });
    await expect(watch.failed).rejects.toThrow(
      "container of host vm1 (sovh-1234abcd-vm1): it was killed from outside the run (the engine's kill event, signal 9); it died with exit code 137",
    );
    expect(watch.fault?.code).toBe('CONTAINER_KILLED');
  });

  it("names the lost engine, not an outside kill, when the kill was the engine's own shutdown", async () => {
    const engine = fakeEngine();
    const watch = start(engine.docker);
    await settle();
    // A shutting-down engine refuses new connections, then stops the containers through the
    // event stream it still holds open.
    engine.state.pingError = Object.assign(new Error('connect ENOENT /run/fake.sock'), {
      code: 'ENOENT',
    });
    engine.send({ Action: 'kill', Actor: { ID: id, Attributes: { ...attributes, signal: '15' } } });
    engine.send({
      Action: 'die',
      Actor: { ID: id, Attributes: { ...attributes, exitCode: '143' } },
    });
    await expect(watch.failed).rejects.toThrow(
      "the container engine stopped answering (unix:///run/fake.sock: it shut down: it refused new connections (a ping: connect ENOENT /run/fake.sock) and stopped the run's containers (host vm1 (sovh-1234abcd-vm1): the engine's kill event, signal 15; it died with exit code 143))",
    );
    expect(watch.fault?.code).toBe('ENGINE_LOST');
    expect(watch.engineLost).toBe(true);
  });

  it('does not count a stop the harness asked for itself (negative control)', async () => {
    const engine = fakeEngine();
    const watch = start(engine.docker);
    await settle();
    // The harness stops the container through the same client: kill and die follow.
    await new Promise((resolve) => {
      engine.modem.dial({ method: 'POST', path: `/v1.41/containers/${id}/stop?t=5` }, resolve);
    });
    engine.send({ Action: 'kill', Actor: { ID: id, Attributes: { ...attributes, signal: '15' } } });
    engine.send({ Action: 'die', Actor: { ID: id, Attributes: { ...attributes, exitCode: '0' } } });
    await settle();
    expect(watch.fault).toBeUndefined();
  });

  it('does not count a container that exits by itself (its stack crashing is the stack’s verdict)', async () => {
    const engine = fakeEngine();
    const watch = start(engine.docker);
    await settle();
    engine.send({ Action: 'die', Actor: { ID: id, Attributes: { ...attributes, exitCode: '1' } } });
    await settle();
    expect(watch.fault).toBeUndefined();
  });

  it('names an OOM kill, whether or not the container died of it', async () => {
    const engine = fakeEngine();
    const watch = start(engine.docker);
    await settle();
    engine.send({ Action: 'oom', Actor: { ID: id, Attributes: attributes } });
    await expect(watch.failed).rejects.toThrow(
      "container of host vm1 (sovh-1234abcd-vm1): the kernel killed a process of it for lack of memory (the engine's oom event); the container kept running",
    );
  });

  it('names an engine whose event stream closed and that no longer answers', async () => {
    const engine = fakeEngine();
    const watch = start(engine.docker);
    await settle();
    engine.state.pingError = Object.assign(new Error('connect ECONNREFUSED /run/fake.sock'), {
      code: 'ECONNREFUSED',
    });
    engine.events().end();
    await expect(watch.failed).rejects.toThrow(
      /^the container engine stopped answering \(unix:\/\/\/run\/fake\.sock: its event stream closed .*ECONNREFUSED/,
    );
    expect(watch.engineLost).toBe(true);
    engine.state.pingError = undefined;
    expect(await watch.waitForEngine(1_000)).toBe(true);
    expect(watch.engineLost).toBe(false);
  });
});

it('opens the stream again when it closes under an engine that still answers', async () => {
  const engine = fakeEngine();
  const watch = EngineWatch.start(engine.docker, '1234abcd');
  try {
    await settle();
    engine.events().end();
    await settle();
    expect(watch.fault).toBeUndefined();
    expect(engine.subscriptions).toHaveLength(2);
    // The replay starts where the stream closed, not at an older event.
    expect(engine.subscriptions[1]?.since).toBeGreaterThanOrEqual(
      Math.floor(Date.now() / 1000) - 2,
    );
    engine.send({ Action: 'oom', Actor: { ID: id, Attributes: attributes } });
    await expect(watch.failed).rejects.toThrow(/lack of memory/);
  } finally {
    watch.stop();
  }
});

it('names an engine that stays silent: three pings without an answer in a row', async () => {
  vi.useFakeTimers();
  const engine = fakeEngine();
  const watch = EngineWatch.start(engine.docker, '1234abcd');
  try {
    await vi.advanceTimersByTimeAsync(10);
    // The engine accepts the ping and never answers, as a hung engine does.
    (engine.docker as unknown as { ping: () => Promise<never> }).ping = () =>
      new Promise<never>(() => undefined);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(watch.fault).toBeUndefined();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(watch.fault?.message).toMatch(
      /^the container engine stopped answering \(unix:\/\/\/run\/fake\.sock: 3 ping\(s\) in a row failed, the last: no answer to a ping within 10000ms\)/,
    );
  } finally {
    watch.stop();
    vi.useRealTimers();
  }
});

describe('stoppedContainerRef', () => {
  it('reads the container a stop, kill, restart, pause or removal names', () => {
    expect(stoppedContainerRef('POST', '/v1.41/containers/abc/kill?signal=KILL')).toBe('abc');
    expect(stoppedContainerRef('POST', '/containers/abc/stop')).toBe('abc');
    expect(stoppedContainerRef('DELETE', '/containers/abc?force=true')).toBe('abc');
    expect(stoppedContainerRef('GET', '/containers/abc/json')).toBeUndefined();
    expect(stoppedContainerRef('POST', '/containers/abc/start')).toBeUndefined();
    expect(stoppedContainerRef('POST', '/containers/create')).toBeUndefined();
  });
});
