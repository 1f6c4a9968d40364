import { createHash, createPublicKey } from 'node:crypto';
import { observerImage } from '../../../sims/observer/observer.ts';
import {
  certificationVerdict,
  renderCertificationVerdict,
  type CertificationVerdict,
} from '../../certify/certification-verdict.ts';
import { describeBmcIdentity } from '../../certify/bmc-identity.ts';
import {
  attestationKeyWords,
  CertificationDevices,
  ekCertificateIndex,
} from '../../certify/certification-devices.ts';
import { checkProductMachine, loadProductFile } from '../../certify/product-file.ts';
import { describeProduct, type ProductDescription } from '../../certify/product-description.ts';
import { tpmOf, type DeviceProfile } from '../../devices/device-profile.ts';
import type { LabNetwork } from '../../devices/lab-network.ts';
import { quotePaths } from '../../report/bundle/tpm-quote.ts';
import { RunSession } from '../../runtime/run-session.ts';
import type { RunEnvironment } from '../../scenario/environment.ts';
import type { Logger } from '../../util/log.ts';
import { SovhError } from '../../util/sovh-error.ts';
import { runCommand, type RunExtension } from './run-command.ts';

export interface CertifyOptions {
  profile?: string;
  product: string;
  reportDir?: string;
  /** Only these scenarios: the bundle then says "partial, not a certification". */
  scenario?: string[];
  config?: string;
  stack?: string;
}

export const productDescriptionPath = 'certification/product.json';
export const certificationVerdictPath = 'certification/verdict.json';

const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);

/** Runs `use` with the harness's certification container for the machine, then removes it. */
async function withDevices<T>(
  environment: RunEnvironment,
  target: { machine: string; profile: DeviceProfile; lab?: LabNetwork },
  use: (devices: CertificationDevices) => Promise<T>,
): Promise<T> {
  const tpm = tpmOf(target.profile, target.machine);
  if (tpm === 'sim') throw new Error(`machine ${target.machine}'s TPM is simulated`);
  const session = await RunSession.open({
    docker: environment.engine.docker,
    namespace: environment.namespace,
    log: environment.log,
    scenario: 'certify',
  });
  try {
    const image = await environment.images.ensure(observerImage);
    const devices = await CertificationDevices.start({
      session,
      image: image.tag,
      machine: target.machine,
      tpm,
      lab: target.lab,
    });
    return await use(devices);
  } finally {
    await session.teardown();
  }
}

/**
 * `sovh certify --profile lab.yaml --product product.yaml`: every scenario on the lab's devices,
 * no "not applicable" allowed; the product as the devices describe themselves; the evidence
 * bundle bound to the certified machine's TPM by a quote over its manifest's hash.
 */
export async function certifyCommand(options: CertifyOptions, log: Logger): Promise<number> {
  const product = await loadProductFile(options.product);
  const { machine } = product.product;
  const partial = (options.scenario ?? []).length > 0;
  let catalog: string[] = [];
  let description: ProductDescription | undefined;
  let verdict: CertificationVerdict | undefined;
  let ekFingerprint: string | undefined;
  const target = (environment: RunEnvironment) => {
    const devices = environment.devices;
    if (devices === undefined) throw new Error('certify runs with a device profile');
    return { machine, profile: devices.profile, lab: devices.lab };
  };
  const extension: RunExtension = {
    command: 'certify',
    scenarioNames: (scenarios) => scenarios.scenarios.map((s) => s.name),
    check(settings) {
      catalog = settings.catalog.scenarios.map((s) => s.name);
      if (settings.profile === undefined)
        throw new SovhError(
          'CERTIFY_NEEDS_PROFILE',
          'sovh certify needs a device profile: give --profile lab.yaml (or `profile:` in the config file); see docs/real-hardware.md',
        );
      checkProductMachine(product, settings.profile);
    },
    // The devices are read before any scenario: one that does not answer fails in seconds.
    async beforeScenarios(environment) {
      const { profile } = target(environment);
      description = await withDevices(environment, target(environment), (devices) =>
        describeProduct(product.product, profile, devices),
      );
      log.info(
        `certifying ${product.product.vendor} ${product.product.model}: machine ${machine}, TPM ${description.tpm.manufacturer} (${description.tpm.vendorString}) firmware ${description.tpm.firmwareVersion}`,
      );
      for (const bmc of description.bmc)
        log.info(`BMC at ${bmc.ipmi} (${bmc.machines.join(', ')}): ${describeBmcIdentity(bmc)}`);
    },
    writeReport(report, environment, write) {
      verdict = certificationVerdict(
        report,
        catalog,
        sameTpm(target(environment).profile, machine),
      );
      if (partial && verdict.outcome === 'certified') verdict = { ...verdict, outcome: 'partial' };
      const extraFiles = new Map([
        [productDescriptionPath, json(description)],
        [certificationVerdictPath, json(verdict)],
      ]);
      return withDevices(environment, target(environment), (devices) =>
        write({
          extraFiles,
          attest: async (manifest) => {
            const qualifyingData = createHash('sha256').update(manifest).digest();
            const { files, algorithm } = await devices.quote(qualifyingData);
            const ek = files.get(quotePaths.ekPublic);
            if (ek !== undefined) ekFingerprint = fingerprintOfPem(ek);
            files.set(
              quotePaths.about,
              json({
                format: 'sovh-tpm-quote/1',
                machine,
                tpm: devices.tcti,
                bank: 'sha256',
                pcrs: 'all',
                qualifyingData: `${qualifyingData.toString('hex')} (the SHA-256 of manifest.json)`,
                ...attestationKeyWords[algorithm],
                credentialActivation:
                  'passed at certification: a secret made by the harness and encrypted to the EK for the AK name (tpm2_makecredential) came back from the TPM (tpm2_activatecredential), so the AK is a key of the TPM with this EK',
                ekCertificate: files.has(quotePaths.ekCertificate)
                  ? quotePaths.ekCertificate
                  : `none: the TPM holds no EK certificate in NV ${ekCertificateIndex[algorithm]}`,
              }),
            );
            return files;
          },
        }),
      );
    },
    verdict(_report, _runExitCode) {
      if (verdict === undefined) return { lines: [], exitCode: 1 };
      return {
        lines: [
          renderCertificationVerdict(verdict),
          `bound to the TPM of machine ${machine}${ekFingerprint === undefined ? '' : ` (EK public key ${ekFingerprint})`} by a quote over the manifest's SHA-256; \`npx sovh verify\` checks it`,
        ],
        exitCode: verdict.outcome === 'refused' ? 1 : 0,
      };
    },
  };
  return runCommand(
    options.scenario ?? [],
    {
      reportDir: options.reportDir,
      profile: options.profile,
      config: options.config,
      stack: options.stack,
    },
    log,
    extension,
  );
}

/** Every machine name of the profile on the certified machine's TPM: the one physical machine. */
function sameTpm(profile: DeviceProfile, machine: string): string[] {
  const tpm = JSON.stringify(tpmOf(profile, machine));
  return Object.keys(profile.machines).filter(
    (name) => JSON.stringify(tpmOf(profile, name)) === tpm,
  );
}

function fingerprintOfPem(pem: Buffer): string | undefined {
  try {
    const der = createPublicKey(pem).export({ type: 'spki', format: 'der' });
    return `sha256:${createHash('sha256').update(der).digest('hex')}`;
  } catch {
    return undefined;
  }
}
