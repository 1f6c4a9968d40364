import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEndpoint } from '../engine/engine-locator.ts';
import { namespacedEngine, nothingLeft, resourcesIn } from '../testing/docker-test-kit.ts';
import { runCli } from '../testing/run-cli.ts';
import {
  execIn,
  labLabel,
  removeStandInLab,
  startStandInLab,
  standInLabProfile,
  type StandInLab,
} from '../testing/stand-in-lab.ts';

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
  let lab: StandInLab | undefined;

  beforeAll(async () => {
    engine = engineNow();
    lab = await startStandInLab(engine.docker);
  }, 300_000);

  afterAll(async () => {
    await removeStandInLab(lab);
    // Nothing of the lab is left in the engine either.
    const left = await engine.docker.listContainers({ all: true, filters: { label: [labLabel] } });
    expect(left).toEqual([]);
  });

  it('boot-binding uses the lab TPM and is not applicable where it needs a power cycle; a power scenario is not applicable without the UPS simulator', async () => {
    if (lab === undefined) throw new Error('no lab');
    const dir = await mkdtemp(join(tmpdir(), 'sovh-lab-'));
    const profile = join(dir, 'lab.yaml');
    await writeFile(profile, standInLabProfile(lab, 'home'));
    const env = { SOVH_NAMESPACE: namespace('lab'), LAB_UPS_PASSWORD: lab.upsPassword };
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
    const inLab = await execIn(lab.tpmContainer, ['tpm2_readpublic', '-c', '0x81000001']);
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
