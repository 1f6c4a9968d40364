import { createHash, createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEndpoint } from '../engine/engine-locator.ts';
import { namespacedEngine, nothingLeft, resourcesIn } from '../testing/docker-test-kit.ts';
import { runCli } from '../testing/run-cli.ts';
import { parseBmcIdentity } from './bmc-identity.ts';
import {
  execIn,
  labUpsIdentity,
  removeStandInLab,
  startStandInLab,
  standInLabProfile,
  type StandInLab,
} from '../testing/stand-in-lab.ts';

async function flipByte(path: string, offset: number): Promise<Buffer> {
  const original = await readFile(path);
  const changed = Buffer.from(original);
  changed[offset] = (changed[offset] ?? 0) ^ 0x01;
  await writeFile(path, changed);
  return original;
}

/**
 * `sovh certify` against the stand-in lab: a standalone swtpm and a NUT upsd on an internal lab
 * network, reached only through the profile, and a standalone BMC simulator there as rack1's real
 * BMC. Two quick scenarios (thermal-excursion and power-failure-key-wipe, which rack1's real BMC
 * makes not applicable: both drive its thermal model) keep it short and prove the refusal; the bundle is
 * still written and bound to the lab's TPM, and names the BMC as it describes itself.
 */
describe('sovh certify with the stand-in lab', () => {
  const { engine: engineNow, namespace } = namespacedEngine();
  let engine: EngineEndpoint;
  let lab: StandInLab | undefined;
  let dir: string;

  beforeAll(async () => {
    engine = engineNow();
    lab = await startStandInLab(engine.docker);
    dir = await mkdtemp(join(tmpdir(), 'sovh-certify-'));
  }, 300_000);

  afterAll(async () => {
    await removeStandInLab(lab);
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses while a scenario is not applicable, and writes a bundle bound to the lab TPM that verify accepts and whose one changed byte it names', async () => {
    if (lab === undefined) throw new Error('no lab');
    const profile = join(dir, 'lab.yaml');
    const product = join(dir, 'product.yaml');
    await writeFile(profile, standInLabProfile(lab, 'rack1', 'ups1', ['rack1']));
    await writeFile(product, 'vendor: Example Systems\nmodel: ES-2000\nmachine: rack1\n');
    const env = {
      SOVH_NAMESPACE: namespace('certify'),
      LAB_UPS_PASSWORD: lab.upsPassword,
      LAB_BMC_PASSWORD: lab.bmcPassword,
    };
    const reportDir = join(dir, 'report');
    const run = await runCli(
      [
        'certify',
        '--profile',
        profile,
        '--product',
        product,
        '--scenario',
        'power-failure-key-wipe',
        '--scenario',
        'thermal-excursion',
        '--report-dir',
        reportDir,
      ],
      env,
    );
    expect(run.exitCode, run.all).toBe(1);
    expect(run.stdout).toContain('NOT CERTIFIED');
    // Both drive rack1's thermal model first (power-failure-key-wipe stops its cooling with the
    // mains), so the real BMC is what each names; lab-profile.docker.test.ts names the real UPS.
    for (const scenario of ['thermal-excursion', 'power-failure-key-wipe'])
      expect(run.stdout).toContain(
        `  - ${scenario}: not-applicable: needs a simulated BMC: machine rack1's BMC is real (IPMI ${lab.bmc}) and the harness cannot drive its temperature sensors with the thermal model`,
      );
    expect(run.stdout).toContain('not run (a partial run is not a certification): ');

    const bundle = join(reportDir, 'evidence');
    const verdict = JSON.parse(
      await readFile(join(bundle, 'certification/verdict.json'), 'utf8'),
    ) as { outcome: string };
    expect(verdict.outcome).toBe('refused');
    // What the devices said of themselves, read by the harness from the lab.
    const description = JSON.parse(
      await readFile(join(bundle, 'certification/product.json'), 'utf8'),
    ) as {
      vendor: string;
      machine: string;
      tpm: { manufacturer: string; firmwareVersion: string; reachedAt: string };
      ups: { name: string; manufacturer?: string; model?: string; firmware?: string }[];
      bmc: Record<string, unknown>[];
      cpu?: { aesNi: boolean; logicalCpus: number; readWith: string };
    };
    expect(description).toMatchObject({
      vendor: 'Example Systems',
      machine: 'rack1',
      tpm: { manufacturer: 'IBM', reachedAt: `swtpm:host=${lab.tpm},port=2321` },
      ups: [
        {
          name: 'ups1',
          manufacturer: labUpsIdentity['ups.mfr'],
          model: labUpsIdentity['ups.model'],
          firmware: labUpsIdentity['ups.firmware'],
        },
      ],
    });
    expect(description.tpm.firmwareVersion).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    // The BMC's identity as the lab's BMC gives it to its own ipmitool, read here apart.
    const inLabBmc = parseBmcIdentity(
      await execIn(lab.bmcContainer, [
        'ipmitool',
        '-I',
        'lanplus',
        // ipmi_sim does not answer the cipher-suite query: without -C each read waits ~10 s.
        '-C',
        '3',
        '-H',
        '127.0.0.1',
        '-U',
        lab.bmcUser,
        '-P',
        lab.bmcPassword,
        'mc',
        'info',
      ]),
    );
    expect(description.bmc).toEqual([
      {
        machines: ['rack1'],
        ipmi: `${lab.bmc}:623`,
        ...inLabBmc,
        readWith: 'ipmitool -I lanplus -C 3 mc info (IPMI Get Device ID)',
      },
    ]);
    // The CPU the hosts ran on, AES-NI as the machine's own kernel lists it.
    const cpuinfo = await readFile('/proc/cpuinfo', 'utf8');
    expect(description.cpu).toMatchObject({
      aesNi: /^flags\s*:.*\baes\b/m.test(cpuinfo),
      readWith: '/proc/cpuinfo',
    });
    expect(description.cpu?.logicalCpus).toBeGreaterThan(0);
    expect(inLabBmc.manufacturerId).toBeGreaterThan(0);
    expect(JSON.stringify(description)).not.toContain(lab.bmcPassword);
    const about = JSON.parse(await readFile(join(bundle, 'tpm/quote.json'), 'utf8')) as {
      credentialActivation: string;
      signature: string;
    };
    expect(about.credentialActivation).toMatch(/^passed at certification/);
    // The profile names no attestation key and swtpm has RSA: the quote is RSA's.
    expect(about.signature).toMatch(/^RSASSA-PKCS1-v1_5 with SHA-256/);

    // The EK is derived from the TPM's endorsement seed: read straight from the lab's swtpm, it
    // is the key whose hash verify names.
    const ekPem = await execIn(lab.tpmContainer, [
      'sh',
      '-c',
      'tpm2_createek -c /tmp/ek.ctx -G rsa -u /tmp/ek.pem -f pem >/dev/null && tpm2_flushcontext -t && cat /tmp/ek.pem',
    ]);
    const ekDer = createPublicKey(ekPem).export({ type: 'spki', format: 'der' });
    const ekFingerprint = `sha256:${createHash('sha256').update(ekDer).digest('hex')}`;

    const verified = await runCli(['verify', bundle], {});
    expect(verified.exitCode, verified.all).toBe(0);
    expect(verified.stdout).toContain('statement: valid');
    expect(verified.stdout).toContain(
      `TPM quote: valid, made by the TPM whose EK public key has ${ekFingerprint}`,
    );
    expect(verified.stdout).toContain('EK certificate none (the TPM held none in NV)');
    const archive = await runCli(['verify', `${bundle}.tar.gz`], {});
    expect(archive.exitCode, archive.all).toBe(0);

    // One changed byte, in a file the manifest lists and in a file of the quote: each is named.
    for (const [file, offset] of [
      ['certification/product.json', 10],
      ['tpm/quote.sig', 17],
      ['tpm/pcrs.json', 40],
    ] as const) {
      const original = await flipByte(join(bundle, file), offset);
      const changed = await runCli(['verify', bundle], {});
      expect(changed.exitCode, changed.all).toBe(1);
      expect(changed.stdout).toMatch(new RegExp(`CHANGED\\s+${file.replace('.', '\\.')}`));
      await writeFile(join(bundle, file), original);
    }
    expect((await runCli(['verify', bundle], {})).exitCode).toBe(0);
    expect(await resourcesIn(engine, env.SOVH_NAMESPACE)).toEqual(nothingLeft);
  }, 600_000);

  it('refuses a product file with a missing field, and a certified machine whose TPM is simulated, before anything starts', async () => {
    if (lab === undefined) throw new Error('no lab');
    const profile = join(dir, 'sim.yaml');
    const product = join(dir, 'bad-product.yaml');
    await writeFile(product, 'vendor: Example Systems\nmachine: rack1\n');
    await writeFile(profile, 'machines:\n  rack1: { tpm: sim }\n');
    const env = { SOVH_NAMESPACE: namespace('certify-bad') };
    const missing = await runCli(['certify', '--profile', profile, '--product', product], env);
    expect(missing.exitCode, missing.all).toBe(2);
    expect(missing.stderr).toContain(
      `${product} is not a valid product file:\n  model: missing: add \`model: "ES-2000"\``,
    );
    await writeFile(product, 'vendor: Example Systems\nmodel: ES-2000\nmachine: rack1\n');
    const simulated = await runCli(
      [
        'certify',
        '--profile',
        profile,
        '--product',
        product,
        '--scenario',
        'power-failure-key-wipe',
      ],
      env,
    );
    expect(simulated.exitCode, simulated.all).toBe(2);
    expect(simulated.stderr).toContain(`machine: the TPM of "rack1" is simulated in ${profile}`);
  });
});
