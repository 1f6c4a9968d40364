/** The machine's CPU as its kernel describes it: what the sealing speed of the stack rests on. */
export interface CpuIdentity {
  /** The first processor's `model name` ("unknown" when the kernel gives none). */
  model: string;
  /** How many processors the kernel lists (logical CPUs). */
  logicalCpus: number;
  /** The AES instructions (x86 AES-NI, the `aes` flag): AES-GCM sealing in hardware. */
  aesNi: boolean;
}

/** Reads /proc/cpuinfo's text (pure, for its unit test). */
export function parseCpuinfo(text: string): CpuIdentity {
  const field = (name: string) =>
    text
      .split('\n')
      .filter((line) => line.split(':')[0]?.trim() === name)
      .map((line) => line.slice(line.indexOf(':') + 1).trim());
  const flags = field('flags')[0]?.split(/\s+/) ?? [];
  return {
    model: field('model name')[0] ?? 'unknown',
    logicalCpus: field('processor').length,
    aesNi: flags.includes('aes'),
  };
}
