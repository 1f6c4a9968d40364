import type { StartedContainer } from '../runtime/started-container.ts';
import type { TpmToolResult } from './machine-tpm.ts';

/**
 * Runs tpm2-tools in a container whose TPM2TOOLS_TCTI names the TPM, then flushes what the command
 * left loaded: without a resource manager (swtpm, mssim) transient objects pile up and the fourth
 * command fails with 0x902; on /dev/tpmrm0 the flush finds nothing.
 */
export async function runTpmTool(
  container: StartedContainer,
  args: string[],
  options: { stdin?: Buffer } = {},
): Promise<TpmToolResult> {
  const result = await container.exec(args, { timeoutMs: 20_000, stdin: options.stdin });
  await container.exec(['sh', '-c', 'tpm2_flushcontext -t; tpm2_flushcontext -s'], {
    timeoutMs: 10_000,
  });
  return { exitCode: result.exitCode, stdout: result.stdoutBytes, stderr: result.stderr };
}

/** Reads a SHA-256 PCR through `tool`, as lowercase hex. */
export async function readPcr(
  tool: (args: string[]) => Promise<TpmToolResult>,
  index: number,
): Promise<string> {
  const result = await tool(['tpm2_pcrread', `sha256:${index}`]);
  const value = new RegExp(`${index}\\s*:\\s*0x([0-9A-Fa-f]+)`).exec(result.stdout.toString())?.[1];
  if (result.exitCode !== 0 || value === undefined)
    throw new Error(`tpm2_pcrread failed: ${result.stderr}`);
  return value.toLowerCase();
}
