import type { RunSession } from '../runtime/run-session.ts';
import type { StartedContainer } from '../runtime/started-container.ts';
import { waitUntil } from '../util/wait-until.ts';
import { DeviceNotApplicable } from './device-not-applicable.ts';
import type { MachineTpm, TpmToolResult } from './machine-tpm.ts';
import { readPcr, runTpmTool } from './tpm-tools.ts';

const answerTimeoutMs = 20_000;

export interface RealTpmStart {
  session: RunSession;
  /** An image with tpm2-tools (the TPM simulator's image; its swtpm is not started). */
  image: string;
  machine: string;
  /** The machine's pod: the harness's side of the TPM sits on the machine's board too. */
  pod: StartedContainer;
  /** A TCTI address on the lab network, or a device node passed through. */
  device: { tcti: string } | { device: string };
}

/**
 * A real TPM of the lab, named by the device profile: reached by TCTI over the lab network, or a
 * character device passed through to the machine's hosts and to the harness's tool container.
 * The harness can read it and run commands on it, but cannot power it: its PCRs are what the
 * machine's own firmware measured, and a step that needs a power cycle is not applicable.
 */
export class RealTpm implements MachineTpm {
  readonly kind = 'real';
  readonly bootChain = undefined;

  private constructor(
    readonly container: StartedContainer,
    readonly machine: string,
    readonly tcti: string,
    readonly devices: readonly string[],
  ) {}

  static async start(request: RealTpmStart): Promise<RealTpm> {
    const { device } = request;
    const tcti = 'tcti' in device ? device.tcti : `device:${device.device}`;
    const devices = 'device' in device ? [device.device] : [];
    const builder = request.session
      .container(request.image, `${request.machine}-tpm-tools`)
      .withNode(request.machine, 'tpm')
      .withCommandChannel()
      .withNetworkNamespaceOf(request.pod)
      .withEnvironment({ TPM2TOOLS_TCTI: tcti })
      .withEntrypoint(['sleep', 'infinity'])
      .withInit()
      .withStartupCheck((c) => awaitAnswer(c, request.machine, tcti));
    for (const node of devices) builder.withDevice(node);
    return new RealTpm(await builder.start(), request.machine, tcti, devices);
  }

  describe(): string {
    return `real TPM at ${this.tcti}`;
  }

  tool(args: string[], options: { stdin?: Buffer } = {}): Promise<TpmToolResult> {
    return runTpmTool(this.container, args, options);
  }

  pcr(index: number): Promise<string> {
    return readPcr((args) => this.tool(args), index);
  }

  powerCycle(): Promise<MachineTpm> {
    return Promise.reject(
      new DeviceNotApplicable(
        `needs a simulated TPM: machine ${this.machine}'s TPM is real (${this.tcti}) and the harness cannot power-cycle it`,
      ),
    );
  }

  async powerOff(): Promise<void> {
    await this.container.stop();
    await this.container.remove();
  }
}

/** A real TPM that does not answer is named with its address and what it said last. */
async function awaitAnswer(container: StartedContainer, machine: string, tcti: string) {
  await waitUntil(
    async () => {
      const result = await container.exec(['tpm2_getcap', 'properties-fixed'], {
        timeoutMs: 10_000,
      });
      if (result.exitCode === 0) return true;
      throw new Error(result.stderr.trim().split('\n').pop() ?? `exit ${result.exitCode}`);
    },
    {
      what: `the TPM of machine ${machine} at ${tcti} (tpm2_getcap properties-fixed)`,
      expected: 'answering',
      timeoutMs: answerTimeoutMs,
      intervalMs: 1_000,
    },
  );
}
