import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { packFolder, unpackArchive } from '../capsule/capsule-archive.ts';
import type { CapsuleManifest } from '../capsule/capsule-manifest.ts';
import { composeProject } from '../capsule/compose-file.ts';
import type { EngineEndpoint } from '../engine/engine-locator.ts';
import type { RunReport } from '../report/run-report.ts';
import { labelKeys } from '../runtime/labels.ts';
import { removeSessions } from '../runtime/reaper.ts';
import { resourcesIn, testEngine, testNamespace } from '../testing/docker-test-kit.ts';
import { runCli } from '../testing/run-cli.ts';
import { cidrsOverlap } from '../util/cidr.ts';
import { silentLogger } from '../util/log.ts';
import { waitUntil } from '../util/wait-until.ts';

const cli = join(import.meta.dirname, 'sovh.mjs');

/** config-immutability: a quick world (one host, a resolver) against a mutant whose checks fail. */
const scenario = 'config-immutability';
const mutant = 'flag-not-set';
const seed = 31_337;

async function results(dir: string): Promise<RunReport> {
  return JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as RunReport;
}

const failedChecks = (report: RunReport) =>
  report.scenarios.flatMap((s) => s.checks.filter((c) => c.status === 'fail').map((c) => c.name));

describe('sovh capsule', () => {
  let engine: EngineEndpoint;
  let work: string;
  /** The capsule the first test packs; the second brings its world up. */
  let packedCapsule: string | undefined;
  const namespace = testNamespace('capsule');
  const env = { SOVH_NAMESPACE: namespace };

  beforeAll(async () => {
    engine = await testEngine();
    work = await mkdtemp(join(tmpdir(), 'sovh-capsule-'));
  });

  afterAll(async () => {
    await removeSessions(engine.docker, namespace, { all: true }, silentLogger);
    await rm(work, { recursive: true, force: true });
  });

  it('packs a failing mutant run; its replay fails the same checks; an image that differs is refused by name', async () => {
    const recordedDir = join(work, 'recorded');
    const run = await runCli(
      ['run', scenario, '--mutant', mutant, '--seed', String(seed), '--report-dir', recordedDir],
      env,
    );
    expect(run.exitCode, run.all).toBe(0);
    const recorded = await results(recordedDir);
    const failed = failedChecks(recorded);
    expect(failed.length, run.all).toBeGreaterThan(0);

    // Not a run folder: refused with the fix.
    const notRun = await runCli(['capsule', work, '-o', join(work, 'x.tgz')], env);
    expect(notRun.exitCode, notRun.all).toBe(2);
    expect(notRun.stderr).toMatch(/is not a run's report folder .*sovh capsule reports\/<run-id>/);

    const capsule = join(work, 'incident.tgz');
    const packed = await runCli(['capsule', recordedDir, '-o', capsule], env);
    expect(packed.exitCode, packed.all).toBe(0);
    packedCapsule = capsule;
    expect(packed.stdout).toContain(
      `capsule ${capsule}: run ${recorded.runId}, seed ${String(seed)}`,
    );

    // What it holds: the manifest, the run's files and a compose file of the starting world.
    const unpacked = join(work, 'unpacked');
    await mkdir(unpacked);
    await unpackArchive(capsule, unpacked);
    const manifest = JSON.parse(
      await readFile(join(unpacked, 'manifest.json'), 'utf8'),
    ) as CapsuleManifest;
    expect(manifest.runs.map((r) => [r.scenario, r.mutant, r.seed])).toEqual([
      [scenario, mutant, seed],
    ]);
    expect(manifest.files).toEqual(
      expect.arrayContaining(['run/results.json', 'run/junit.xml', 'run/evidence.tar.gz']),
    );
    const host = manifest.runs[0]?.images.find((i) => i.role === 'host');
    expect(host?.recipe?.name).toBe(`host-mutant-${mutant}`);
    expect(host?.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const compose = parse(await readFile(join(unpacked, 'compose.yaml'), 'utf8')) as {
      services: Record<string, { image: string; network_mode?: string; privileged: boolean }>;
      networks: Record<string, { internal: boolean }>;
    };
    const world = recorded.scenarios[0]?.world;
    expect(Object.keys(compose.networks).length).toBe(world?.networks.length);
    for (const network of Object.values(compose.networks)) expect(network.internal).toBe(true);
    expect(Object.values(compose.services).map((s) => s.image)).toContain(host?.tag);
    expect(
      Object.values(compose.services).some((s) => s.network_mode?.startsWith('service:')),
    ).toBe(true);

    const replayDir = join(work, 'replayed');
    const replay = await runCli(['replay', capsule, '--report-dir', replayDir], env);
    expect(replay.exitCode, replay.all).toBe(0);
    expect(replay.stderr).toContain('every image is the recorded one');
    expect(replay.stdout).toMatch(/replay: all \d+ verdict\(s\) the same as recorded/);
    const replayed = await results(replayDir);
    expect(replayed.replayOf).toEqual({ runId: recorded.runId, dir: capsule });
    expect(failedChecks(replayed)).toEqual(failed);

    // A capsule whose host image id is not the one built here: refused, the image named.
    const altered = { ...manifest };
    altered.runs = manifest.runs.map((r) => ({
      ...r,
      images: r.images.map((i) =>
        i.role === 'host' ? { ...i, id: `sha256:${'0'.repeat(64)}` } : i,
      ),
    }));
    await writeFile(join(unpacked, 'manifest.json'), JSON.stringify(altered));
    const otherImages = join(work, 'other-images.tgz');
    await packFolder(unpacked, otherImages);
    const refused = await runCli(
      ['replay', otherImages, '--report-dir', join(work, 'refused')],
      env,
    );
    expect(refused.exitCode, refused.all).toBe(2);
    expect(refused.stderr).toContain(
      `${scenario} [mutant ${mutant}]: image host: recorded ${host?.tag ?? ''} (sha256:${'0'.repeat(64)})`,
    );
    expect(refused.stderr).toContain('--rebuild-ok');

    // Made by another version: refused, both versions named.
    await writeFile(
      join(unpacked, 'manifest.json'),
      JSON.stringify({ ...manifest, sovh: { version: '0.0.1' } }),
    );
    const otherVersion = join(work, 'other-version.tgz');
    await packFolder(unpacked, otherVersion);
    const old = await runCli(['replay', otherVersion], env);
    expect(old.exitCode, old.all).toBe(2);
    expect(old.stderr).toMatch(/was made by sovh 0\.0\.1, this is sovh \d+\.\d+\.\d+/);

    expect(await resourcesIn(engine, namespace)).toEqual({
      containers: 0,
      networks: 0,
      volumes: 0,
    });
  });

  it("up CAPSULE holds the recorded run's world (its mutant and seed) until down, and leaves nothing", async () => {
    if (packedCapsule === undefined) throw new Error('the capsule test above made no capsule');
    const capsule = packedCapsule;
    const upEnv = { ...env, SOVH_STATE_DIR: await mkdtemp(join(tmpdir(), 'sovh-capsule-up-')) };

    // What the recording fixes cannot be given again, and a capsule's world is held in front.
    const reseeded = await runCli(['up', capsule, '--seed', '5'], upEnv);
    expect(reseeded.exitCode, reseeded.all).toBe(2);
    expect(reseeded.stderr).toContain("--seed: a capsule's world has the recorded seed");
    const detached = await runCli(['up', capsule, '--detach'], upEnv);
    expect(detached.exitCode, detached.all).toBe(2);
    expect(detached.stderr).toContain('Hold it in a terminal of its own');
    const noRun = await runCli(['up', capsule, '--run', '2'], upEnv);
    expect(noRun.exitCode, noRun.all).toBe(2);
    expect(noRun.stderr).toContain(
      `--run 1: ${scenario} [mutant ${mutant}] (seed ${String(seed)})`,
    );

    const held = execa('node', [cli, 'up', capsule, '--name', 'capw'], {
      env: upEnv,
      reject: false,
      all: true,
    });
    try {
      const status = await waitUntil(
        async () => {
          const read = await runCli(['status', 'capw', '--json'], upEnv);
          return read.exitCode === 0
            ? (JSON.parse(read.stdout) as { scenario: string; seed: number }[])[0]
            : undefined;
        },
        { what: "the capsule's world capw", expected: 'up', timeoutMs: 180_000, intervalMs: 1_000 },
      );
      expect(status).toMatchObject({ scenario, seed });
      const containers = await engine.docker.listContainers({
        filters: { label: [`${labelKeys.namespace}=${namespace}`] },
      });
      expect(containers.map((c) => c.Image)).toEqual(
        expect.arrayContaining([expect.stringContaining(`host-mutant-${mutant}:`)]),
      );
      const down = await runCli(['down', 'capw'], upEnv);
      expect(down.exitCode, down.all).toBe(0);
      const ended = await held;
      expect(ended.exitCode, ended.all).toBe(0);
      expect(ended.all).toContain('every image is the recorded one');
      expect(ended.all).toContain('world capw is down');
    } finally {
      held.kill('SIGINT');
      await held;
      await rm(upEnv.SOVH_STATE_DIR, { recursive: true, force: true });
    }
    expect(await resourcesIn(engine, namespace)).toEqual({
      containers: 0,
      networks: 0,
      volumes: 0,
    });
  });

  it.skipIf(!composeCommand())(
    'the compose file of the starting state comes up with plain docker compose, and down leaves nothing',
    async () => {
      const command = composeCommand() ?? [];
      const file = join(work, 'moved-compose.yaml');
      await writeFile(
        file,
        await movedToFreeSubnets(
          await readFile(join(work, 'unpacked', 'compose.yaml'), 'utf8'),
          engine,
        ),
      );
      const manifest = JSON.parse(
        await readFile(join(work, 'unpacked', 'manifest.json'), 'utf8'),
      ) as CapsuleManifest;
      // The project name the file's header gives, so that the test finds what compose made.
      const project = composeProject(manifest.runId);
      const [program = 'docker', ...first] = command;
      const compose = (args: string[]) =>
        execa(program, [...first, '-p', project, '-f', file, ...args], {
          reject: false,
          all: true,
        });
      try {
        const up = await compose(['up', '-d']);
        expect(up.exitCode, up.all).toBe(0);
        const made = await engine.docker.listContainers({
          all: true,
          filters: { label: [`com.docker.compose.project=${project}`] },
        });
        const world = (await results(join(work, 'recorded'))).scenarios[0]?.world;
        expect(made.length).toBe(world?.containers?.length);
      } finally {
        const down = await compose(['down', '-v']);
        expect(down.exitCode, down.all).toBe(0);
      }
      const left = await engine.docker.listContainers({
        all: true,
        filters: { label: [`com.docker.compose.project=${project}`] },
      });
      expect(left).toEqual([]);
      const networks = await engine.docker.listNetworks({
        filters: { label: [`com.docker.compose.project=${project}`] },
      });
      expect(networks).toEqual([]);
    },
  );
});

interface ComposeDocument {
  services: Record<string, { networks?: Record<string, { ipv4_address?: string } | null> }>;
  networks: Record<string, { ipam: { config: { subnet: string }[] } }>;
}

/**
 * The compose file with each network moved to a /16 of 10.200-254 that no network of the engine
 * holds now, and each address with it (the last two octets kept). The recorded subnets were free
 * when the run made them, but the worlds of other tests running beside this one take the first
 * free subnets of the same ranges, so `up` could meet an overlap that says nothing of the file.
 */
async function movedToFreeSubnets(text: string, engine: EngineEndpoint): Promise<string> {
  const document = parse(text) as ComposeDocument;
  const held = (await engine.docker.listNetworks()).flatMap((n) =>
    (n.IPAM?.Config ?? []).flatMap((c) => (c.Subnet === undefined ? [] : [c.Subnet])),
  );
  const moved = new Map<string, string>();
  let octet = 200;
  for (const [key, network] of Object.entries(document.networks)) {
    const [config] = network.ipam.config;
    if (config === undefined) continue;
    const [address = '', length = ''] = config.subnet.split('/');
    if (Number(length) < 16) throw new Error(`subnet ${config.subnet} is wider than a /16`);
    while (octet <= 254 && held.some((h) => cidrsOverlap(h, `10.${String(octet)}.0.0/16`)))
      octet += 1;
    if (octet > 254) throw new Error('no free /16 in 10.200-254 for the compose test');
    const prefix = `10.${String(octet)}.`;
    octet += 1;
    moved.set(key, prefix);
    config.subnet = `${prefix}${address.split('.').slice(2).join('.')}/${length}`;
  }
  for (const service of Object.values(document.services))
    for (const [key, attachment] of Object.entries(service.networks ?? {})) {
      const prefix = moved.get(key);
      if (prefix !== undefined && attachment?.ipv4_address !== undefined)
        attachment.ipv4_address = `${prefix}${attachment.ipv4_address.split('.').slice(2).join('.')}`;
    }
  return stringify(document, { lineWidth: 0 });
}

/** `docker compose` (the plugin) or `docker-compose`, when this machine has one. */
function composeCommand(): string[] | undefined {
  for (const command of [['docker', 'compose'], ['docker-compose']]) {
    const [program = 'docker', ...args] = command;
    const found = execaSyncOk(program, [...args, 'version']);
    if (found) return command;
  }
  return undefined;
}

function execaSyncOk(program: string, args: string[]): boolean {
  try {
    return execaSync(program, args).exitCode === 0;
  } catch {
    return false;
  }
}
