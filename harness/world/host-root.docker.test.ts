import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEndpoint } from '../engine/engine-locator.ts';
import {
  baseImageTag,
  nothingLeft,
  resourcesIn,
  testEngine,
  testNamespace,
} from '../testing/docker-test-kit.ts';
import { labelKeys } from '../runtime/labels.ts';
import { removeSessions } from '../runtime/reaper.ts';
import { RunSession } from '../runtime/run-session.ts';
import type { StartedContainer } from '../runtime/started-container.ts';
import { silentLogger } from '../util/log.ts';
import { HostRoot } from './host-root.ts';

/** The names of every process the container sees in its own PID namespace (its /proc). */
async function processNames(container: StartedContainer): Promise<string[]> {
  const listed = await container.run([
    'sh',
    '-c',
    'for p in /proc/[0-9]*; do cat "$p/comm" 2>/dev/null; done',
  ]);
  return listed.stdout.split('\n').filter((line) => line !== '');
}

describe('HostRoot against the engine', () => {
  let engine: EngineEndpoint;
  let image: string;
  const namespace = testNamespace('host-root');

  beforeAll(async () => {
    engine = await testEngine();
    image = await baseImageTag(engine);
  });

  afterAll(async () => {
    await removeSessions(engine.docker, namespace, { all: true }, silentLogger);
  });

  /** A "host" that locked a file of its own and has no chattr left to unlock it. */
  async function lockedHost(session: RunSession): Promise<StartedContainer> {
    const host = await session
      .container(image, 'host')
      .withNode('host', 'host')
      .withCapabilities('LINUX_IMMUTABLE')
      .withInit()
      .withCommand(['sleep', 'infinity'])
      .start();
    await host.run(['sh', '-c', 'echo locked >/etc/locked && chattr +i /etc/locked']);
    await host.run(['sh', '-c', 'rm -f "$(command -v chattr)"']);
    return host;
  }

  it('reads and unlocks a host file through the engine-host helper, invisible to the host and with no helper of its own', async () => {
    const session = await RunSession.open({ docker: engine.docker, namespace, log: silentLogger });
    const host = await lockedHost(session);
    const before = await processNames(host);

    const root = await HostRoot.open(session, image, host, 'host');
    const read = await root.exec(['cat', root.path('/etc/locked')]);
    expect(read.stdout).toBe('locked\n');
    const flags = await root.exec(['lsattr', root.path('/etc/locked')]);
    expect(flags.stdout.split(' ')[0]).toContain('i');
    await root.unlock(['/etc/locked', '/etc/absent']);
    await root.detach();

    // The host writes its file again; none of the harness's processes ever showed in its namespace.
    expect((await host.exec(['sh', '-c', 'echo again >>/etc/locked'])).exitCode).toBe(0);
    expect(await processNames(host)).toEqual(before);
    const containers = await engine.docker.listContainers({
      all: true,
      filters: { label: [`${labelKeys.session}=${session.id}`] },
    });
    expect(containers.map((c) => c.Labels[labelKeys.role]).sort()).toEqual(['engine-host', 'host']);

    // A second open reuses the same helper.
    const again = await HostRoot.open(session, image, host, 'host');
    expect((await again.exec(['cat', again.path('/etc/locked')])).stdout).toBe('locked\nagain\n');

    await session.teardown();
    expect(await resourcesIn(engine, namespace)).toEqual(nothingLeft);
  });

  it("attaches a helper of its own whose processes count as the host's, and removes it", async () => {
    const session = await RunSession.open({ docker: engine.docker, namespace, log: silentLogger });
    const host = await lockedHost(session);
    const before = (await processNames(host)).length;

    const root = await HostRoot.attachInHost(session, image, host, 'host');
    expect((await root.exec(['cat', root.path('/etc/locked')])).stdout).toBe('locked\n');
    expect((await processNames(host)).length).toBeGreaterThan(before);
    await root.detach();
    expect((await processNames(host)).length).toBe(before);

    await session.teardown();
    expect(await resourcesIn(engine, namespace)).toEqual(nothingLeft);
  });

  it('names the host when its container is not running', async () => {
    const session = await RunSession.open({ docker: engine.docker, namespace, log: silentLogger });
    const host = await lockedHost(session);
    await host.stop(1);
    await expect(HostRoot.open(session, image, host, 'host-a')).rejects.toThrow(
      'the files of host host-a cannot be reached: its container is not running',
    );
    await session.teardown();
    expect(await resourcesIn(engine, namespace)).toEqual(nothingLeft);
  });
});
