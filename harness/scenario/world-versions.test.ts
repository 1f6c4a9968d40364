import { describe, expect, it } from 'vitest';
import { parseInstalledTools } from './world-versions.ts';

describe('tool versions', () => {
  it('keeps the installed tools of note from the package database and nothing else', () => {
    const output = [
      'swtpm\t0.7.1-1.3\tii ',
      'tpm2-tools\t5.4-1\tii ',
      'libc6\t2.36-9+deb12u9\tii ',
      'iperf3\t\tun ',
      'openssl\t3.0.20-1~deb12u2\trc ',
      '',
    ].join('\n');
    expect(parseInstalledTools(output)).toEqual({ swtpm: '0.7.1-1.3', 'tpm2-tools': '5.4-1' });
  });
});
