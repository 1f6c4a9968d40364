import type { RunSession } from '../../harness/runtime/run-session.ts';
import type { StartedContainer } from '../../harness/runtime/started-container.ts';
import { simImage } from '../images.ts';

export const swtpmImage = simImage('tpm');

/** The TCTI a host uses for its machine's TPM: swtpm on the machine's loopback. */
export const swtpmTcti = 'swtpm:host=127.0.0.1,port=2321';

// A cell powers many TPMs on at once; on a busy two-core machine that alone took over 20 s.
const powerOnTimeoutMs = 60_000;

export interface TpmPowerOn {
  session: RunSession;
  image: string;
  machine: string;
  /** The machine's "pod": the TPM joins its network namespace, as a chip sits on its board. */
  pod: StartedContainer;
  /** The TPM's persistent state (its NVRAM), a volume of the machine. */
  stateVolume: string;
  bootChain: string;
}

/**
 * A machine's TPM: swtpm running beside the machine's host, reachable only on the machine's
 * loopback. Powering it on resets the PCRs and the firmware measures the boot chain into PCR 7.
 */
export class StartedTpm {
  constructor(
    readonly container: StartedContainer,
    readonly machine: string,
    readonly bootChain: string,
  ) {}

  readonly tcti = swtpmTcti;

  static async powerOn(request: TpmPowerOn, generation = 0): Promise<StartedTpm> {
    const container = await request.session
      .container(request.image, `${request.machine}-tpm${generation === 0 ? '' : `-${generation}`}`)
      .withNode(request.machine, 'tpm')
      .withCommandChannel()
      .withNetworkNamespaceOf(request.pod)
      .withVolume(request.stateVolume, '/var/lib/swtpm')
      .withEnvironment({ BOOT_CHAIN: request.bootChain })
      .withInit()
      .withStartupCheck((c) => c.waitForLog(/^TPM_READY /, powerOnTimeoutMs).then(() => undefined))
      .start();
    return new StartedTpm(container, request.machine, request.bootChain);
  }

  /** Runs tpm2-tools against this TPM from the harness's side (independent of the host's stack). */
  async tool(
    args: string[],
    options: { stdin?: Buffer } = {},
  ): Promise<{ exitCode: number; stdout: Buffer; stderr: string }> {
    const result = await this.container.exec(args, { timeoutMs: 20_000, stdin: options.stdin });
    // No resource manager: flush what the command left loaded so later calls do not run out.
    await this.container.exec(['sh', '-c', 'tpm2_flushcontext -t; tpm2_flushcontext -s'], {
      timeoutMs: 10_000,
    });
    return { exitCode: result.exitCode, stdout: result.stdoutBytes, stderr: result.stderr };
  }

  /** The current value of a SHA-256 PCR, as hex. */
  async pcr(index: number): Promise<string> {
    const result = await this.tool(['tpm2_pcrread', `sha256:${index}`]);
    const value = new RegExp(`${index}\\s*:\\s*0x([0-9A-Fa-f]+)`).exec(
      result.stdout.toString(),
    )?.[1];
    if (result.exitCode !== 0 || value === undefined)
      throw new Error(`tpm2_pcrread failed: ${result.stderr}`);
    return value.toLowerCase();
  }

  async powerOff(): Promise<void> {
    await this.container.stop();
    await this.container.remove();
  }
}
