import type { StartedContainer } from '../runtime/started-container.ts';

/** What a tpm2-tools command run by the harness returned. */
export interface TpmToolResult {
  exitCode: number;
  stdout: Buffer;
  stderr: string;
}

/** Lets a container join the machine's network namespace (see StartedMachine.admit). */
export type Admit = <T>(start: () => Promise<T>) => Promise<T>;

/**
 * A machine's TPM as probes, checks and faults need it, whatever is behind it: the simulator on
 * the machine's loopback, or a real TPM reached by a TCTI address or passed through as a device.
 */
export interface MachineTpm {
  /** `sim` for the simulator, `real` for a device of the lab (named by the device profile). */
  readonly kind: 'sim' | 'real';
  readonly machine: string;
  /** The TCTI the machine's hosts use for it (their site file's `tpm.tcti`). */
  readonly tcti: string;
  /** Device nodes every host booted on the machine gets (device passthrough), else none. */
  readonly devices: readonly string[];
  /**
   * The harness's own container on the machine's board: it shares the machine's network
   * namespace (its loopback is the machine's) and carries tpm2-tools pointed at this TPM.
   */
  readonly container: StartedContainer;
  /** The boot chain the firmware measured into PCR 7, when the harness knows it. */
  readonly bootChain: string | undefined;
  /** One line for reports: what this TPM is. */
  describe(): string;
  /** Runs tpm2-tools against this TPM from the harness's side (independent of the host's stack). */
  tool(args: string[], options?: { stdin?: Buffer }): Promise<TpmToolResult>;
  /** The current value of a SHA-256 PCR, as hex. */
  pcr(index: number): Promise<string>;
  /**
   * Powers the TPM off and on again (PCRs reset) with the firmware measuring `bootChain`, and
   * returns the TPM after it. A TPM the harness cannot power throws DeviceNotApplicable.
   */
  powerCycle(bootChain: string, admit: Admit): Promise<MachineTpm>;
  /** Stops what the harness runs for this TPM (for a simulator: the TPM itself). */
  powerOff(): Promise<void>;
}
