import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { listedHandles, tpmFlushedAfterRefusalCheck } from './tpm-leftovers.ts';

async function statusOf(transientObjects: string[], loadedSessions: string[]) {
  const h = new History();
  h.record('observation', 'tpm-leftovers', {
    machine: 'home',
    phase: 'boot-chain-changed',
    transientObjects,
    loadedSessions,
  });
  return (await checkStatuses([tpmFlushedAfterRefusalCheck], h))[tpmFlushedAfterRefusalCheck.name];
}

describe('tpm-flushed-after-refusal', () => {
  it('passes when the TPM lists nothing', async () => {
    expect(await statusOf([], [])).toBe('pass');
  });

  it('fails on a transient object or a session left loaded', async () => {
    expect(await statusOf(['0x80000000'], [])).toBe('fail');
    expect(await statusOf([], ['0x02000000'])).toBe('fail');
  });

  it('says unknown when the TPM was never listed', async () => {
    expect(
      (await checkStatuses([tpmFlushedAfterRefusalCheck], new History()))[
        tpmFlushedAfterRefusalCheck.name
      ],
    ).toBe('unknown');
  });
});

describe('listedHandles', () => {
  it('reads the handles of a tpm2_getcap listing', () => {
    expect(listedHandles('- 0x80000000\n- 0x80000001\n')).toEqual(['0x80000000', '0x80000001']);
  });

  it('reads nothing from an empty listing', () => {
    expect(listedHandles('')).toEqual([]);
  });
});
