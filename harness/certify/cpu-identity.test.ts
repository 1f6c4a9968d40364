import { describe, expect, it } from 'vitest';
import { parseCpuinfo } from './cpu-identity.ts';

const processor = (n: number, flags: string) =>
  [
    `processor\t: ${String(n)}`,
    'vendor_id\t: GenuineIntel',
    'model name\t: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz',
    `flags\t\t: fpu vme sse2 ${flags} avx2`,
    '',
  ].join('\n');

describe('parseCpuinfo', () => {
  it('reads the model, the processors and the AES flag', () => {
    expect(parseCpuinfo(processor(0, 'pclmulqdq aes') + processor(1, 'pclmulqdq aes'))).toEqual({
      model: 'Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz',
      logicalCpus: 2,
      aesNi: true,
    });
  });

  it('tells a CPU without AES-NI (a flag that only contains "aes" does not count)', () => {
    expect(parseCpuinfo(processor(0, 'pclmulqdq vaes-like')).aesNi).toBe(false);
  });

  it('says unknown where the kernel gives no model', () => {
    expect(parseCpuinfo('processor : 0\n')).toEqual({
      model: 'unknown',
      logicalCpus: 1,
      aesNi: false,
    });
  });
});
