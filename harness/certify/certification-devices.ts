import type { RealBmcProfile, RealUpsProfile, TpmProfile } from '../devices/device-profile.ts';
import { parseHostPort } from '../devices/device-profile.ts';
import {
  ipmiPasswordVariable,
  lanplusArguments,
  lanplusCommandText,
  lanplusLogin,
} from '../devices/ipmitool-args.ts';
import type { LabNetwork } from '../devices/lab-network.ts';
import { quotePaths } from '../report/bundle/tpm-quote.ts';
import type { RunSession } from '../runtime/run-session.ts';
import type { StartedContainer } from '../runtime/started-container.ts';
import { SovhError } from '../util/sovh-error.ts';
import { parseBmcIdentity, type BmcIdentity } from './bmc-identity.ts';
import { parseTpmProperties, type TpmProperties } from './tpm-properties.ts';
import { parseUpsIdentity, type UpsIdentity } from './ups-identity.ts';

/** Where TCG's EK credential profile puts the EK certificate in NV, by the EK's algorithm. */
export const ekCertificateIndex = { rsa: '0x1c00002', ecc: '0x1c0000a' } as const;

/** The algorithm of a certification's EK and AK (device-profile.ts, `attestationKey`). */
export type AttestationAlgorithm = keyof typeof ekCertificateIndex;

/** How the EK, the AK and the quote's signature were made, by algorithm: for tpm/quote.json. */
export const attestationKeyWords: Record<AttestationAlgorithm, { ak: string; signature: string }> =
  {
    rsa: {
      ak: 'RSA 2048 restricted signing key made under the RSA EK (tpm2_createek -G rsa, tpm2_createak -G rsa -s rsassa -g sha256)',
      signature: 'RSASSA-PKCS1-v1_5 with SHA-256 over quote.msg (TPMS_ATTEST)',
    },
    ecc: {
      ak: 'ECC P-256 restricted signing key made under the ECC EK (tpm2_createek -G ecc, tpm2_createak -G ecc -s ecdsa -g sha256)',
      signature: 'ECDSA with SHA-256 over quote.msg (TPMS_ATTEST), DER-encoded',
    },
  };

export interface CertificationDevicesStart {
  session: RunSession;
  /** An image with tpm2-tools and upsc (the harness's observer image). */
  image: string;
  machine: string;
  tpm: Exclude<TpmProfile, 'sim'>;
  lab?: LabNetwork;
}

// Without a resource manager (swtpm, mssim) transient objects and sessions pile up: flush after
// each command. Loaded sessions too (-l): a host torn down in the middle of a policy session
// leaves it loaded, and three of them fill the TPM's session slots.
// $2 is the algorithm asked for, or "auto": RSA where the TPM lists it, else ECC (ECC-only TPMs).
const quoteScript = `set -e
d=$(mktemp -d); cd "$d"
flush() { for kind in -t -l -s; do tpm2_flushcontext "$kind" >/dev/null 2>&1 || true; done; }
flush
alg="$2"
if [ "$alg" = auto ]; then
  if tpm2_getcap algorithms | grep -q '^rsa:'; then alg=rsa; else alg=ecc; fi
fi
if [ "$alg" = rsa ]; then scheme=rsassa; cert=${ekCertificateIndex.rsa}; else scheme=ecdsa; cert=${ekCertificateIndex.ecc}; fi
tpm2_createek -c ek.ctx -G "$alg" -u ek.pub.pem -f pem >/dev/null; flush
tpm2_createak -C ek.ctx -c ak.ctx -G "$alg" -g sha256 -s "$scheme" -u ak.pub.pem -f pem -n ak.name >/dev/null; flush
# Credential activation: a secret encrypted to the EK for the AK's name comes back only from the
# TPM that holds both, so the AK that signs the quote is proven to live beside this EK.
tpm2_readpublic -c ek.ctx -o ek.tss >/dev/null; flush
head -c 16 /dev/urandom > secret.bin
tpm2_makecredential -T none -u ek.tss -s secret.bin -n "$(od -An -tx1 -v ak.name | tr -d ' \n')" -o cred.bin >/dev/null 2>&1
tpm2_startauthsession --policy-session -S session.ctx
tpm2_policysecret -S session.ctx -c e >/dev/null
tpm2_activatecredential -c ak.ctx -C ek.ctx -i cred.bin -o activated.bin -P session:session.ctx >/dev/null
tpm2_flushcontext session.ctx; flush
cmp -s secret.bin activated.bin || { echo "credential activation: the TPM did not recover the secret for the AK" >&2; exit 1; }
tpm2_quote -c ak.ctx -l sha256:all -q "$1" -m quote.msg -s quote.sig -o quote.pcrs -g sha256 -f plain > quote.yaml; flush
if tpm2_nvreadpublic "$cert" >/dev/null 2>&1; then tpm2_nvread "$cert" -o ek-cert.der >/dev/null 2>&1 || rm -f ek-cert.der; fi
flush
echo "$alg"
echo "$d"`;

/**
 * The harness's own container for a certification: it reaches the certified machine's real TPM
 * (over the lab network by its TCTI, or as the device node passed through) and the lab's UPSes,
 * and nothing else: it has no network but the profile's internal lab network. The stack under
 * test is not involved: what it reads, it reads from the devices themselves.
 */
export class CertificationDevices {
  private constructor(
    private readonly container: StartedContainer,
    readonly tcti: string,
    /** The profile's `attestationKey`, or "auto" to go by what the TPM has. */
    private readonly attestationKey: AttestationAlgorithm | 'auto',
  ) {}

  static async start(request: CertificationDevicesStart): Promise<CertificationDevices> {
    const { tpm } = request;
    const tcti = 'tcti' in tpm ? tpm.tcti : `device:${tpm.device}`;
    const builder = request.session
      .container(request.image, `${request.machine}-certify`)
      .withNode(request.machine, 'certify')
      .withEnvironment({ TPM2TOOLS_TCTI: tcti })
      .withEntrypoint(['sleep', 'infinity'])
      .withInit();
    if (request.lab !== undefined) builder.withNetwork(request.lab.name);
    if ('device' in tpm) builder.withDevice(tpm.device);
    return new CertificationDevices(await builder.start(), tcti, tpm.attestationKey ?? 'auto');
  }

  private async tpmCommand(script: string, args: string[] = []) {
    const result = await this.container.exec(['sh', '-c', script, 'sh', ...args], {
      timeoutMs: 60_000,
    });
    if (result.exitCode !== 0)
      throw new SovhError(
        'CERTIFY_TPM',
        `the TPM at ${this.tcti} did not answer as needed (${script.split('\n')[0] ?? script}): ${result.stderr.trim().split('\n').slice(-3).join(' | ') || `exit ${String(result.exitCode)}`}`,
      );
    return result;
  }

  /** What the TPM says of itself: manufacturer, vendor string, firmware. */
  async tpmProperties(): Promise<TpmProperties> {
    const result = await this.tpmCommand('tpm2_getcap properties-fixed');
    return parseTpmProperties(result.stdout);
  }

  /** What a UPS of the lab says of itself through its NUT server (`upsc`, no login needed). */
  async upsIdentity(ups: RealUpsProfile): Promise<UpsIdentity> {
    const server = parseHostPort(ups.nut);
    if (server === undefined) throw new Error(`bad NUT address ${ups.nut}`);
    const target = `${ups.name}@${server.host}:${String(server.port)}`;
    const result = await this.container.exec(['upsc', target], { timeoutMs: 20_000 });
    if (result.exitCode !== 0)
      throw new SovhError(
        'CERTIFY_UPS',
        `the UPS ${target} did not answer upsc: ${result.stderr.trim() || `exit ${String(result.exitCode)}`}`,
      );
    return parseUpsIdentity(result.stdout);
  }

  /**
   * What a BMC of the lab says of itself: IPMI Get Device ID over RMCP+ (`ipmitool -I lanplus -C
   * SUITE mc info`), logged in as the profile's user with the profile's cipher suite, as the hosts
   * log in (devices/ipmitool-args.ts: the password in ipmitool's environment).
   */
  async bmcIdentity(bmc: RealBmcProfile, env: NodeJS.ProcessEnv): Promise<BmcIdentity> {
    const login = lanplusLogin(bmc);
    const result = await this.container.exec(
      ['ipmitool', ...lanplusArguments(login), 'mc', 'info'],
      {
        timeoutMs: 30_000,
        env: { [ipmiPasswordVariable]: env[bmc.passwordEnv] ?? '' },
      },
    );
    if (result.exitCode !== 0 || !result.stdout.includes('Manufacturer ID'))
      throw new SovhError(
        'CERTIFY_BMC',
        `the BMC at ${login.host}:${String(login.port)} did not answer \`${lanplusCommandText(login, ['mc', 'info'])}\` (password from ${bmc.passwordEnv}): ${result.stderr.trim().split('\n').slice(-2).join(' | ') || `exit ${String(result.exitCode)}`}`,
      );
    return parseBmcIdentity(result.stdout);
  }

  /**
   * An AK made under the EK, and a quote by it over every SHA-256 PCR with `qualifyingData` (the
   * SHA-256 of the bundle manifest): the files of the bundle's `tpm/` folder but quote.json, and
   * the algorithm of the EK and AK (the profile's, or chosen by what the TPM has).
   */
  async quote(
    qualifyingData: Buffer,
  ): Promise<{ files: Map<string, Buffer>; algorithm: AttestationAlgorithm }> {
    const made = await this.tpmCommand(quoteScript, [
      qualifyingData.toString('hex'),
      this.attestationKey,
    ]);
    const [algorithm, dir = ''] = made.stdout.trim().split('\n').slice(-2);
    if (algorithm !== 'rsa' && algorithm !== 'ecc')
      throw new SovhError(
        'CERTIFY_TPM',
        `the quote at ${this.tcti} named no attestation algorithm: ${made.stdout.trim()}`,
      );
    const read = async (name: string) =>
      (await this.container.exec(['cat', `${dir}/${name}`], { timeoutMs: 10_000 })).stdoutBytes;
    const quoteYaml = (await read('quote.yaml')).toString();
    const values: Record<string, string> = {};
    for (const match of quoteYaml.matchAll(/^\s+(\d+)\s*:\s*0x([0-9A-Fa-f]{64})\s*$/gm))
      values[match[1] ?? ''] = (match[2] ?? '').toLowerCase();
    const files = new Map<string, Buffer>([
      [quotePaths.message, await read('quote.msg')],
      [quotePaths.signature, await read('quote.sig')],
      [quotePaths.pcrs, Buffer.from(`${JSON.stringify({ bank: 'sha256', values }, null, 2)}\n`)],
      [quotePaths.akPublic, await read('ak.pub.pem')],
      [quotePaths.ekPublic, await read('ek.pub.pem')],
    ]);
    const hasCert = await this.container.exec(['test', '-s', `${dir}/ek-cert.der`]);
    if (hasCert.exitCode === 0) files.set(quotePaths.ekCertificate, await read('ek-cert.der'));
    await this.container.exec(['rm', '-rf', dir]);
    return { files, algorithm };
  }
}
