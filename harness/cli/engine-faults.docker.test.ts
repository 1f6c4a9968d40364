import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { execInContainer } from '../runtime/container-exec.ts';
import { listSessions } from '../runtime/engine-resources.ts';
import { namespacedEngine, nothingLeft, resourcesIn } from '../testing/docker-test-kit.ts';
import { EngineProxy } from '../testing/engine-proxy.ts';
import { runCli } from '../testing/run-cli.ts';
import { waitUntil } from '../util/wait-until.ts';

/** A quick scenario with a host and a simulator (the machine's swtpm) in its world. */
const scenario = 'boot-binding';
/** The schedule's first step: the world is up and the host is booting against its TPM. */
const inSchedule = /\bstep: /;
/**
 * A run hit from outside ends well within this after the fault (its teardown included): less than
 * the minute the abandoned schedule's own waits would hold a process that waited for them.
 */
const endBoundMs = 50_000;
/** A lost engine adds the teardown's wait for it to answer again (30 s). */
const lostEngineEndBoundMs = 120_000;

interface RunResults {
  scenarios: { status: string; reason?: string; checks: { status: string; summary: string }[] }[];
}

/**
 * Starts `sovh run` and waits until its schedule runs. The child comes back in an object: a
 * running child is awaitable, and returning it bare would wait for the run's end.
 */
async function runUntilSchedule(env: Record<string, string>, reportDir: string) {
  const child = runCli(['run', scenario, '--report-dir', reportDir], env);
  let output = '';
  child.all.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await waitUntil(() => Promise.resolve(inSchedule.test(output) ? true : undefined), {
    what: `the ${scenario} run`,
    expected: 'in its schedule',
    timeoutMs: 600_000,
    intervalMs: 100,
  });
  return { child };
}

/** The run's running container of a node and role, found by the run's labels in the engine. */
async function containerOf(docker: Docker, namespace: string, role: string, node: string) {
  const containers = (await listSessions(docker, namespace)).flatMap((s) => s.containers);
  const found = containers.find((c) => c.role === role && c.node === node && c.state === 'running');
  if (found === undefined)
    throw new Error(`no running ${role} ${node} in ${namespace}: ${JSON.stringify(containers)}`);
  return found;
}

/**
 * Uses up the container's memory under a limit set on the running container (`docker update`):
 * the limit just above what it uses, then a process that needs far more. The kernel's OOM killer
 * ends that process (the largest in the container's cgroup) and the engine reports an oom event.
 */
async function exhaustMemory(docker: Docker, id: string): Promise<void> {
  const container = docker.getContainer(id);
  const stats = (await container.stats({ stream: false })) as { memory_stats: { usage: number } };
  const limit = stats.memory_stats.usage + 64 * 1024 * 1024;
  await container.update({ Memory: limit, MemorySwap: limit });
  await execInContainer(docker, id, ['sh', '-c', '(head -c 512m /dev/zero; sleep 30) | tail'], {
    timeoutMs: 60_000,
  }).catch(() => undefined);
}

async function readResults(reportDir: string): Promise<RunResults> {
  return JSON.parse(await readFile(join(reportDir, 'results.json'), 'utf8')) as RunResults;
}

/**
 * Faults of the engine a run cannot prevent: a container of its world killed from outside
 * (`docker kill`, out of memory) and an engine that stops answering. Each must end the run
 * promptly with an error that names the fault, with no check passing on a world that was hit,
 * and leave nothing behind. The engine itself is never restarted: other runs share it; its loss
 * is a relay in front of its socket that the test cuts.
 */
describe('engine faults in the middle of a run', () => {
  const { engine, namespace } = namespacedEngine();

  const kills: {
    what: string;
    role: string;
    node: string;
    hit: (docker: Docker, id: string) => Promise<void>;
    cause: string;
  }[] = [
    {
      what: "docker kill of the stack's host container",
      role: 'host',
      node: 'vm1',
      hit: (docker, id) => docker.getContainer(id).kill({ signal: 'SIGKILL' }),
      cause:
        "it was killed from outside the run \\(the engine's kill event, signal 9\\); it died with exit code 137",
    },
    {
      what: 'docker kill of the simulated TPM (swtpm)',
      role: 'tpm',
      node: 'home',
      hit: (docker, id) => docker.getContainer(id).kill({ signal: 'SIGKILL' }),
      cause:
        "it was killed from outside the run \\(the engine's kill event, signal 9\\); it died with exit code 137",
    },
    {
      what: 'an OOM kill in the host container under a memory limit',
      role: 'host',
      node: 'vm1',
      hit: exhaustMemory,
      cause: "the kernel killed a process of it for lack of memory \\(the engine's oom event\\)",
    },
  ];

  it.each(kills)('$what', async ({ role, node, hit, cause }) => {
    const env = { SOVH_NAMESPACE: namespace(`kill-${role}`) };
    const reportDir = await mkdtemp(join(tmpdir(), 'sovh-report-'));
    const { child } = await runUntilSchedule(env, reportDir);
    const target = await containerOf(engine().docker, env.SOVH_NAMESPACE, role, node);
    await sleep(500);
    const hitAt = Date.now();
    await hit(engine().docker, target.id);
    const result = await child;
    process.stdout.write(`run ended ${String(Date.now() - hitAt)} ms after the fault\n`);
    expect(Date.now() - hitAt, result.all).toBeLessThan(endBoundMs);
    const named = new RegExp(`container of ${role} ${node} \\(${target.name}\\): ${cause}`);
    expect(result.all).toMatch(named);
    expect(result.exitCode, result.all).toBe(1);
    const [run] = (await readResults(reportDir)).scenarios;
    expect(run?.reason).toMatch(named);
    expect(run?.checks.length).toBeGreaterThan(0);
    for (const check of run?.checks ?? []) {
      expect(check.status).toBe('unknown');
      expect(check.summary).toMatch(named);
    }
    expect(await resourcesIn(engine(), env.SOVH_NAMESPACE)).toEqual(nothingLeft);
  });

  it('an engine that stops answering mid-schedule ends the run with a named error, and `sovh down` leaves nothing once it is back', async () => {
    const proxy = new EngineProxy(
      join(tmpdir(), `sovh-engine-${randomBytes(3).toString('hex')}.sock`),
    );
    await proxy.open();
    const env = { SOVH_NAMESPACE: namespace('engine-lost'), DOCKER_HOST: proxy.dockerHost };
    const reportDir = await mkdtemp(join(tmpdir(), 'sovh-report-'));
    try {
      const { child } = await runUntilSchedule(env, reportDir);
      await sleep(500);
      const cutAt = Date.now();
      await proxy.cut();
      const result = await child;
      process.stdout.write(`run ended ${String(Date.now() - cutAt)} ms after the engine went\n`);
      // Detection (the event stream drops at once), then the teardown's 30 s wait for the engine.
      expect(Date.now() - cutAt, result.all).toBeLessThan(lostEngineEndBoundMs);
      const lost = /the container engine stopped answering \(unix:\/\/\S+sovh-engine-\w+\.sock: /;
      expect(result.all).toMatch(lost);
      expect(result.all).toMatch(
        /teardown of run \w+ not done: the container engine did not answer again within 30 s/,
      );
      expect(result.exitCode, result.all).toBe(1);
      const [run] = (await readResults(reportDir)).scenarios;
      expect(run?.reason).toMatch(lost);
      for (const check of run?.checks ?? []) expect(check.status).toBe('unknown');

      // The engine is back: `sovh down` through it removes what the run could not.
      await proxy.open();
      const down = await runCli(['down', '--all'], env);
      expect(down.exitCode, down.all).toBe(0);
      expect(await resourcesIn(engine(), env.SOVH_NAMESPACE)).toEqual(nothingLeft);
    } finally {
      await proxy.cut();
    }
  });
});
