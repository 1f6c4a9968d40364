import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEndpoint } from '../engine/engine-locator.ts';
import {
  baseImageTag,
  createDeadSessionVolume,
  resourcesIn,
  testEngine,
  testNamespace,
} from '../testing/docker-test-kit.ts';
import { nthAddress } from '../util/cidr.ts';
import { silentLogger } from '../util/log.ts';
import { SovhError } from '../util/sovh-error.ts';
import { inEngineHostNetwork } from './bridge-routing.ts';
import { labelKeys } from './labels.ts';
import { reapDeadSessions, removeSessions } from './reaper.ts';
import { RunSession } from './run-session.ts';

describe('RunSession against the engine', () => {
  let engine: EngineEndpoint;
  let image: string;
  const namespace = testNamespace('session');

  beforeAll(async () => {
    engine = await testEngine();
    image = await baseImageTag(engine);
  });

  afterAll(async () => {
    await removeSessions(engine.docker, namespace, { all: true }, silentLogger);
  });

  /** How many containers of a session and role the engine created since a time (its events). */
  async function containersCreatedSince(
    since: number,
    session: string,
    role: string,
  ): Promise<number> {
    const stream = await engine.docker.getEvents({
      since,
      until: Math.ceil(Date.now() / 1000) + 1,
      filters: {
        type: ['container'],
        event: ['create'],
        label: [`${labelKeys.session}=${session}`, `${labelKeys.role}=${role}`],
      },
    });
    const text = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
      });
      stream.on('end', () => {
        resolve(Buffer.concat(chunks).toString('utf8'));
      });
      stream.on('error', reject);
    });
    return text.split('\n').filter((line) => line.trim() !== '').length;
  }

  const open = (options: { keep?: boolean } = {}) =>
    RunSession.open({ docker: engine.docker, namespace, log: silentLogger, ...options });

  it('starts labelled containers on internal networks, execs, copies files, and tears all down', async () => {
    const session = await open();
    const network = await session.createNetwork('zone', ['10.231.0.0/24', '10.231.1.0/24']);
    const volume = await session.createVolume('disk');
    const container = await session
      .container(image, 'probe')
      .withNode('probe', 'observer')
      .withNetwork(network.name, nthAddress(network.subnet, 9))
      .withVolume(volume, '/disk')
      .withFile('/etc/greeting', 'hello\n')
      .withInit()
      .withCommand(['sleep', 'infinity'])
      .start();
    expect((await container.run(['cat', '/etc/greeting'])).stdout).toBe('hello\n');
    expect((await container.exec(['sh', '-c', 'cat; exit 3'], { stdin: 'piped' })).stdout).toBe(
      'piped',
    );
    expect((await container.exec(['sh', '-c', 'exit 3'])).exitCode).toBe(3);
    await container.writeFile('/disk/blob', Buffer.from([0, 1, 2, 255]));
    expect([...(await container.readFile('/disk/blob'))]).toEqual([0, 1, 2, 255]);
    await expect(container.run(['false'])).rejects.toMatchObject({ code: 'EXEC_FAILED' });
    await expect(container.exec(['sleep', '30'], { timeoutMs: 1_000 })).rejects.toMatchObject({
      code: 'EXEC_TIMEOUT',
    });

    const inspected = await engine.docker.getNetwork(network.id).inspect();
    expect(inspected.Internal).toBe(true);
    const info = await engine.docker.getContainer(container.id).inspect();
    expect(info.Config.Labels[labelKeys.session]).toBe(session.id);
    expect(info.HostConfig.Privileged).toBe(false);

    await session.teardown();
    expect(await resourcesIn(engine, namespace)).toEqual({
      containers: 0,
      networks: 0,
      volumes: 0,
    });
  });

  it('unlocks what a container locked from outside it, when the container has no chattr of its own', async () => {
    const session = await open();
    const container = await session
      .container(image, 'locker')
      .withCapabilities('LINUX_IMMUTABLE')
      .withUnlockBeforeRemoval(['/etc/locked'], { helperImage: image })
      .withInit()
      .withCommand(['sleep', 'infinity'])
      .start();
    // A stack image without e2fsprogs: once its chattr is gone, only the harness's can unlock.
    await container.run(['sh', '-c', 'echo x >/etc/locked && chattr +i /etc/locked']);
    await container.run(['sh', '-c', 'rm -f "$(command -v chattr)"']);
    expect((await container.exec(['sh', '-c', 'echo y >>/etc/locked'])).exitCode).not.toBe(0);
    expect((await container.exec(['sh', '-c', 'command -v chattr'])).exitCode).not.toBe(0);

    await session.teardown();
    expect(await resourcesIn(engine, namespace)).toEqual({
      containers: 0,
      networks: 0,
      volumes: 0,
    });
  });

  it.each([
    ['from one helper container', false],
    ['through the engine-host helper, with no container started for it', true],
  ])(
    'unlocks the locked files of several containers, a stopped one too, %s, and leaves nothing',
    async (_how, withEngineHostHelper) => {
      const since = Math.floor(Date.now() / 1000);
      const session = await open();
      if (withEngineHostHelper) await inEngineHostNetwork(session, image, 'a no-op', 'true');
      const lockers = await Promise.all(
        ['one', 'two'].map((name) =>
          session
            .container(image, `locker-${name}`)
            .withCapabilities('LINUX_IMMUTABLE')
            .withUnlockBeforeRemoval(['/etc/locked', '/etc/absent'], { helperImage: image })
            .withInit()
            .withCommand(['sleep', 'infinity'])
            .start(),
        ),
      );
      for (const locker of lockers) {
        await locker.run(['sh', '-c', 'echo x >/etc/locked && chattr +i /etc/locked']);
      }
      // A container stopped with its lock in place (a host whose power was cut).
      const [, stopped] = lockers;
      await engine.docker.getContainer(stopped?.id ?? '').stop({ t: 1 });

      await session.teardown();
      expect(await resourcesIn(engine, namespace)).toEqual({
        containers: 0,
        networks: 0,
        volumes: 0,
      });
      const unlockHelpers = await containersCreatedSince(since, session.id, 'unlock');
      expect(unlockHelpers).toBe(withEngineHostHelper ? 0 : 1);
    },
  );

  it("removes a dead run's volume that holds an immutable file once its containers are gone", async () => {
    const session = await open();
    const volume = await session.createVolume('net', { [labelKeys.unlockWith]: image });
    const locker = await session
      .container(image, 'locker')
      .withCapabilities('LINUX_IMMUTABLE')
      .withVolume(volume, '/net')
      .withInit()
      .withCommand(['sleep', 'infinity'])
      .start();
    await locker.run(['sh', '-c', 'echo x >/net/resolv.conf && chattr +i /net/resolv.conf']);
    // The container goes as in a teardown cut short; the lock stays in the volume.
    await locker.remove();
    await expect(engine.docker.getVolume(volume).remove({ force: true })).rejects.toThrow(
      /operation not permitted/,
    );

    const down = await removeSessions(
      engine.docker,
      namespace,
      { all: true, sessionId: session.id },
      silentLogger,
    );
    expect(down.problems).toEqual([]);
    await session.teardown();
    expect(await resourcesIn(engine, namespace)).toEqual({
      containers: 0,
      networks: 0,
      volumes: 0,
    });
  });

  it('removes the container of a failed start and rethrows the original error', async () => {
    const session = await open();
    const original = new SovhError('PROBE_SAID_NO', 'not ready on purpose');
    await expect(
      session
        .container(image, 'doomed')
        .withCommand(['sleep', 'infinity'])
        .withStartupCheck(() => Promise.reject(original))
        .start(),
    ).rejects.toBe(original);
    expect((await resourcesIn(engine, namespace)).containers).toBe(0);
    await session.teardown();
  });

  it('waits for a line of output as it is written, and names what it did not see', async () => {
    const session = await open();
    const container = await session
      .container(image, 'talker')
      .withInit()
      .withCommand(['sh', '-c', 'echo early; sleep 1; echo READY now >&2; sleep 1; exit 0'])
      .start();
    expect(await container.waitForLog(/^READY /, 20_000)).toBe('READY now');
    expect(await container.waitForLog(/^early$/, 20_000)).toBe('early');
    // The container exits without ever writing it: the wait ends at its bound, by name.
    await expect(container.waitForLog(/^NEVER/, 4_000)).rejects.toThrow(
      /a line matching \/\^NEVER\/ in talker's output not seen after \d+ms/,
    );
    await session.teardown();
  });

  it('gives two concurrent sessions different subnets of the same range', async () => {
    const [a, b] = await Promise.all([open(), open()]);
    const candidates = ['10.232.0.0/24', '10.232.1.0/24', '10.232.2.0/24'];
    const [na, nb] = await Promise.all([
      a.createNetwork('zone', candidates),
      b.createNetwork('zone', candidates),
    ]);
    expect(na.subnet).not.toBe(nb.subnet);
    await Promise.all([a.teardown(), b.teardown()]);
  });

  it('reaps sessions of dead owners, leaves live and kept ones, and `down` removes kept ones', async () => {
    const live = await open();
    await live.createVolume('live');
    const kept = await open({ keep: true });
    await kept.createVolume('kept');
    kept.detach();
    // A session whose owner process is gone: the labels of a pid that cannot exist.
    await createDeadSessionVolume(engine, live.labels(), `sovh-dead-${namespace}`);
    const reaped = await reapDeadSessions(engine.docker, namespace, silentLogger);
    expect(reaped.removedSessions).toEqual(['deadbeef']);
    expect((await resourcesIn(engine, namespace)).volumes).toBe(2);

    const down = await removeSessions(engine.docker, namespace, { all: false }, silentLogger);
    expect(down.removedSessions).toEqual([kept.id]);
    await live.teardown();
    expect(await resourcesIn(engine, namespace)).toEqual({
      containers: 0,
      networks: 0,
      volumes: 0,
    });
  });

  it('refuses to create anything after teardown', async () => {
    const session = await open();
    await session.teardown();
    await expect(session.createVolume('late')).rejects.toMatchObject({ code: 'SESSION_CLOSED' });
  });
});
