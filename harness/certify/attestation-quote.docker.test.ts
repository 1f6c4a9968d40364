import { createHash, createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observerImage } from '../../sims/observer/observer.ts';
import type { EngineEndpoint } from '../engine/engine-locator.ts';
import { ImageBuilder } from '../engine/image-builder.ts';
import { quotePaths, verifyQuote } from '../report/bundle/tpm-quote.ts';
import { RunSession } from '../runtime/run-session.ts';
import { namespacedEngine } from '../testing/docker-test-kit.ts';
import { removeStandInLab, startStandInLab, type StandInLab } from '../testing/stand-in-lab.ts';
import { silentLogger } from '../util/log.ts';
import { CertificationDevices, type AttestationAlgorithm } from './certification-devices.ts';

/**
 * The certification quote against the stand-in lab's swtpm, with each attestation key: the EK
 * and AK made by the TPM in the asked algorithm (or RSA when the TPM has it), credential
 * activation passed, and a quote that verify accepts with Node's crypto alone.
 */
describe('the certification quote with an RSA or an ECC attestation key', () => {
  const { engine: engineNow, namespace } = namespacedEngine();
  let engine: EngineEndpoint;
  let lab: StandInLab | undefined;
  let image: string;

  beforeAll(async () => {
    engine = engineNow();
    lab = await startStandInLab(engine.docker);
    image = (await new ImageBuilder(engine.docker, silentLogger).ensure(observerImage)).tag;
  }, 300_000);

  afterAll(async () => {
    await removeStandInLab(lab);
  });

  async function quoteWith(attestationKey?: AttestationAlgorithm) {
    if (lab === undefined) throw new Error('no lab');
    const session = await RunSession.open({
      docker: engine.docker,
      namespace: namespace('quote'),
      log: silentLogger,
    });
    try {
      const devices = await CertificationDevices.start({
        session,
        image,
        machine: 'rack1',
        tpm: {
          tcti: `swtpm:host=${lab.tpm},port=2321`,
          ...(attestationKey === undefined ? {} : { attestationKey }),
        },
        lab: { name: lab.networkName, subnets: [lab.subnet], addresses: [lab.tpm] },
      });
      const manifest = Buffer.from(`{"files":[],"key":"${attestationKey ?? 'auto'}"}\n`);
      const quoted = await devices.quote(createHash('sha256').update(manifest).digest());
      return { ...quoted, manifest };
    } finally {
      await session.teardown();
    }
  }

  const keyType = (pem: Buffer | undefined) => createPublicKey(pem ?? '').asymmetricKeyType;

  it('quotes with an ECC P-256 EK and AK when the profile asks for ECC', async () => {
    const { files, algorithm, manifest } = await quoteWith('ecc');
    expect(algorithm).toBe('ecc');
    expect(keyType(files.get(quotePaths.akPublic))).toBe('ec');
    expect(keyType(files.get(quotePaths.ekPublic))).toBe('ec');
    expect(verifyQuote(files, manifest)).toMatchObject({ ok: true, problems: [] });
    // Another manifest's hash is not what the TPM quoted.
    expect(verifyQuote(files, Buffer.from('{}\n')).ok).toBe(false);
  }, 120_000);

  it('quotes with RSA when the profile names none and the TPM has RSA', async () => {
    const { files, algorithm, manifest } = await quoteWith();
    expect(algorithm).toBe('rsa');
    expect(keyType(files.get(quotePaths.akPublic))).toBe('rsa');
    expect(verifyQuote(files, manifest)).toMatchObject({ ok: true, problems: [] });
  }, 120_000);
});
