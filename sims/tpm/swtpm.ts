import type { Admit, MachineTpm, TpmToolResult } from '../../harness/devices/machine-tpm.ts';
import { readPcr, runTpmTool } from '../../harness/devices/tpm-tools.ts';
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
export class StartedTpm implements MachineTpm {
  constructor(
    readonly container: StartedContainer,
    readonly machine: string,
    readonly bootChain: string,
    private readonly request: TpmPowerOn,
    private readonly generation = 0,
  ) {}

  readonly kind = 'sim';
  readonly tcti = swtpmTcti;
  readonly devices: readonly string[] = [];

  describe(): string {
    return 'swtpm';
  }

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
    return new StartedTpm(container, request.machine, request.bootChain, request, generation);
  }

  /** Runs tpm2-tools against this TPM from the harness's side (independent of the host's stack). */
  tool(args: string[], options: { stdin?: Buffer } = {}): Promise<TpmToolResult> {
    return runTpmTool(this.container, args, options);
  }

  /** The current value of a SHA-256 PCR, as hex. */
  pcr(index: number): Promise<string> {
    return readPcr((args) => this.tool(args), index);
  }

  async powerCycle(bootChain: string, admit: Admit): Promise<StartedTpm> {
    await this.powerOff();
    const next = { ...this.request, bootChain };
    return admit(() => StartedTpm.powerOn(next, this.generation + 1));
  }

  async powerOff(): Promise<void> {
    await this.container.stop();
    await this.container.remove();
  }
}
