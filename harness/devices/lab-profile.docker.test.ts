import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageBuilder } from '../engine/image-builder.ts';
import type { EngineEndpoint } from '../engine/engine-locator.ts';
import { namespacedEngine, nothingLeft, resourcesIn } from '../testing/docker-test-kit.ts';
import { runCli } from '../testing/run-cli.ts';
import { silentLogger } from '../util/log.ts';
import { waitUntil } from '../util/wait-until.ts';
import { simImage } from '../../sims/images.ts';
import { swtpmImage } from '../../sims/tpm/swtpm.ts';
import { demuxLogBuffer } from '../runtime/started-container.ts';

/**
 * A vendor's lab, made outside the harness: an internal network with a standalone swtpm (a TPM
 * on a TCP TCTI) and a standalone NUT upsd, from the project's simulator images but started here,
 * not by a world. The harness reaches them only through the profile.
 */
interface Lab {
  network: Docker.Network;
  containers: Docker.Container[];
  subnet: string;
  tpm: string;
  ups: string;
}

const labLabel = 'dev.sovh.test-lab';
const upsPassword = randomBytes(6).toString('hex');

async function startLab(docker: Docker, images: { tpm: string; ups: string }): Promise<Lab> {
  const id = randomBytes(3).toString('hex');
  const labels = { [labLabel]: id };
  let network: Docker.Network | undefined;
  let subnet = '';
  // A free /24 for the lab: another run may hold one of these.
  for (const third of [201, 202, 203, 204, 205, 206]) {
    subnet = `10.${third}.${parseInt(id.slice(0, 2), 16)}.0/24`;
    try {
      network = await docker.createNetwork({
        Name: `sovh-lab-${id}`,
        Internal: true,
        Labels: labels,
        IPAM: { Config: [{ Subnet: subnet }] },
      });
      break;
    } catch {
      network = undefined;
    }
  }
  if (network === undefined) throw new Error('no free subnet for the lab network');
  const prefix = subnet.replace(/\.0\/24$/, '');
  const lab: Lab = { network, containers: [], subnet, tpm: `${prefix}.2`, ups: `${prefix}.3` };
  const start = async (
    name: string,
    image: string,
    address: string,
    cmd: string[],
    env: string[] = [],
  ) => {
    const container = await docker.createContainer({
      name: `sovh-lab-${id}-${name}`,
      Image: image,
      Entrypoint: ['sh', '-c'],
      Cmd: cmd,
      Env: env,
      Labels: labels,
      HostConfig: { NetworkMode: `sovh-lab-${id}` },
      NetworkingConfig: {
        EndpointsConfig: { [`sovh-lab-${id}`]: { IPAMConfig: { IPv4Address: address } } },
      },
    });
    lab.containers.push(container);
    await container.start();
  };
  await start('tpm', images.tpm, lab.tpm, [
    'mkdir -p /tmp/tpm && exec swtpm socket --tpm2 --tpmstate dir=/tmp/tpm --server type=tcp,port=2321,bindaddr=0.0.0.0 --ctrl type=tcp,port=2322,bindaddr=0.0.0.0 --flags not-need-init,startup-clear',
  ]);
  const upsConfig = {
    name: 'labups',
    port: 3493,
    description: 'lab UPS',
    monitor: { user: 'labmon', password: upsPassword },
    admin: { user: 'admin', password: randomBytes(6).toString('hex') },
    initial: { 'ups.status': 'OL', 'battery.charge': '100', 'battery.runtime': '600' },
  };
  await start(
    'ups',
    images.ups,
    lab.ups,
    [
      'mkdir -p /etc/ups && printf %s "$UPS_JSON" > /etc/ups/ups.json && exec /usr/lib/ups/ups-start',
    ],
    [`UPS_JSON=${JSON.stringify(upsConfig)}`],
  );
  return lab;
}

async function removeLab(lab: Lab | undefined): Promise<void> {
  if (lab === undefined) return;
  for (const container of lab.containers) await container.remove({ force: true, v: true });
  await lab.network.remove();
}

async function execIn(container: Docker.Container, cmd: string[]): Promise<string> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  await new Promise((resolve) => stream.on('end', resolve));
  // The stream is multiplexed: a frame header can fall inside a line, so the frames are stripped.
  return demuxLogBuffer(Buffer.concat(chunks));
}

interface Results {
  scenarios: {
    scenario: string;
    status: string;
    reason?: string;
    checks: { name: string; status: string; summary: string }[];
    history: { kind: string; name: string; data?: Record<string, unknown> }[];
    world?: {
      profile?: string;
      devices?: { node: string; device: string; real: boolean; detail: string }[];
    };
  }[];
}

describe('real devices through a device profile', () => {
  const { engine: engineNow, namespace } = namespacedEngine();
  let engine: EngineEndpoint;
  let lab: Lab | undefined;

  beforeAll(async () => {
    engine = engineNow();
    const builder = new ImageBuilder(engine.docker, silentLogger);
    const [tpm, ups] = await Promise.all([
      builder.ensure(swtpmImage),
      builder.ensure(simImage('ups')),
    ]);
    lab = await startLab(engine.docker, { tpm: tpm.tag, ups: ups.tag });
    const [tpmContainer, upsContainer] = lab.containers;
    if (tpmContainer === undefined || upsContainer === undefined) throw new Error('lab incomplete');
    await waitUntil(
      async () =>
        (await execIn(tpmContainer, ['tpm2_getcap', 'properties-fixed'])).includes(
          'TPM2_PT_FAMILY_INDICATOR',
        )
          ? true
          : undefined,
      { what: 'the lab swtpm', expected: 'answering', timeoutMs: 20_000 },
    );
    await waitUntil(
      async () =>
        (await execIn(upsContainer, ['upsc', 'labups@127.0.0.1', 'ups.status'])).includes('OL')
          ? true
          : undefined,
      { what: 'the lab upsd', expected: 'reporting OL', timeoutMs: 30_000 },
    );
  }, 300_000);

  afterAll(async () => {
    await removeLab(lab);
    // Nothing of the lab is left in the engine either.
    const left = await engine.docker.listContainers({ all: true, filters: { label: [labLabel] } });
    expect(left).toEqual([]);
  });

  it('boot-binding uses the lab TPM and is not applicable where it needs a power cycle; a power scenario is not applicable without the UPS simulator', async () => {
    if (lab === undefined) throw new Error('no lab');
    const dir = await mkdtemp(join(tmpdir(), 'sovh-lab-'));
    const profile = join(dir, 'lab.yaml');
    await writeFile(
      profile,
      [
        `labNetwork: ${((await lab.network.inspect()) as { Name: string }).Name}`,
        'machines:',
        `  home: { tpm: { tcti: "swtpm:host=${lab.tpm},port=2321" } }`,
        'ups:',
        `  ups1: { nut: "${lab.ups}:3493", name: labups, user: labmon, passwordEnv: LAB_UPS_PASSWORD }`,
        '',
      ].join('\n'),
    );
    const env = { SOVH_NAMESPACE: namespace('lab'), LAB_UPS_PASSWORD: upsPassword };
    const reportDir = join(dir, 'report');
    const run = await runCli(
      [
        'run',
        'boot-binding',
        'power-failure-key-wipe',
        '--profile',
        profile,
        '--report-dir',
        reportDir,
      ],
      env,
    );
    // Not applicable fails nothing without --strict; with it, the run would fail.
    expect(run.exitCode, run.all).toBe(0);
    const results = JSON.parse(await readFile(join(reportDir, 'results.json'), 'utf8')) as Results;
    const boot = results.scenarios.find((s) => s.scenario === 'boot-binding');
    const power = results.scenarios.find((s) => s.scenario === 'power-failure-key-wipe');

    expect(boot?.status).toBe('not-applicable');
    expect(boot?.reason).toBe(
      `needs a simulated TPM: machine home's TPM is real (swtpm:host=${lab.tpm},port=2321) and the harness cannot power-cycle it`,
    );
    expect(
      boot?.checks.every(
        (c) => c.status === 'not-applicable' && c.summary.includes('needs a simulated TPM'),
      ),
    ).toBe(true);
    expect(boot?.world?.profile).toBe(profile);
    expect(boot?.world?.devices).toEqual(
      expect.arrayContaining([
        {
          node: 'home',
          device: 'tpm',
          real: true,
          detail: `real TPM at swtpm:host=${lab.tpm},port=2321`,
        },
        { node: 'elsewhere', device: 'tpm', real: false, detail: 'swtpm' },
      ]),
    );
    // Before the power cycle, the stack sealed its KEK in the lab's TPM: the harness read the
    // primary key there, and so does this test, straight from the lab's swtpm.
    const primary = boot?.history.find((e) => e.name === 'tpm-primary-key');
    expect(primary?.data).toMatchObject({ fromTpm: { present: true } });
    const [tpmContainer] = lab.containers;
    if (tpmContainer === undefined) throw new Error('lab incomplete');
    const inLab = await execIn(tpmContainer, ['tpm2_readpublic', '-c', '0x81000001']);
    const name = (primary?.data as { fromTpm?: { qualifiedName?: string } } | undefined)?.fromTpm
      ?.qualifiedName;
    expect(name).toMatch(/^[0-9a-f]+$/);
    expect(inLab).toContain(`qualified name: ${name ?? ''}`);

    expect(power?.status).toBe('not-applicable');
    expect(power?.reason).toBe(
      `needs a simulated UPS: ups1 is real (labups@${lab.ups}:3493) and the harness cannot fail its mains or drive its battery`,
    );
    expect(power?.world?.devices).toEqual(
      expect.arrayContaining([
        { node: 'ups1', device: 'ups', real: true, detail: `real UPS labups@${lab.ups}:3493` },
      ]),
    );
    expect(await resourcesIn(engine, env.SOVH_NAMESPACE)).toEqual(nothingLeft);
  }, 600_000);

  it('names a profile entry that no scenario of the run has, before anything starts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sovh-lab-'));
    const profile = join(dir, 'lab.yaml');
    await writeFile(profile, 'machines:\n  hom: { tpm: sim }\n');
    const run = await runCli(['run', 'boot-binding', '--profile', profile], {
      SOVH_NAMESPACE: namespace('bad'),
    });
    expect(run.exitCode, run.all).toBe(2);
    expect(run.stderr).toContain(profile);
    expect(run.stderr).toContain(
      'machines.hom: no machine "hom" in the scenarios of this run: use one of elsewhere, home',
    );
  });

  it('refuses a lab network that does not exist, naming it and the fix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sovh-lab-'));
    const profile = join(dir, 'lab.yaml');
    await writeFile(
      profile,
      'labNetwork: sovh-no-such-lab\nmachines:\n  home: { tpm: { tcti: "swtpm:host=10.201.9.2,port=2321" } }\n',
    );
    const run = await runCli(['run', 'boot-binding', '--profile', profile], {
      SOVH_NAMESPACE: namespace('nolab'),
    });
    expect(run.exitCode, run.all).toBe(2);
    expect(run.stderr).toContain(`${profile}: labNetwork: no Docker network "sovh-no-such-lab"`);
    expect(run.stderr).toContain('docker network create --internal');
  }, 300_000);
});
