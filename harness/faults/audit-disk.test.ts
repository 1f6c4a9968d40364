import { describe, expect, it } from 'vitest';
import { isSovhError } from '../util/sovh-error.ts';
import type { World } from '../world/world.ts';
import { auditDiskFull, auditTrailUnwritable } from './audit-disk.ts';

/** A world with one host and no audit service: all these faults can ask of it. */
const worldWithoutAudit = {
  topology: { hosts: [{ name: 'vm1' }] },
  allSims: () => [],
} as unknown as World;

async function invokeError(
  invoke: () => Promise<unknown>,
): Promise<{ code: string; message: string }> {
  try {
    await invoke();
  } catch (error) {
    if (isSovhError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected an error');
}

describe('the audit disk faults', () => {
  it('are named after their host, so that two hosts can be broken at once', () => {
    expect(auditDiskFull('vm1').name).toBe('audit-disk-full-vm1');
    expect(auditDiskFull('vm1', 12 * 1024).description).toContain('12288 bytes left free');
    expect(auditTrailUnwritable('vm2').name).toBe('audit-trail-unwritable-vm2');
  });

  it('name the missing audit service and the fix when no audit service holds the host', async () => {
    for (const fault of [auditDiskFull('vm1'), auditTrailUnwritable('vm1')]) {
      const error = await invokeError(() => fault.invoke(worldWithoutAudit));
      expect(error.code).toBe('NOT_AUDITED');
      expect(error.message).toMatch(
        /no audit service .* host vm1's audit disk; add a service of kind audit/,
      );
    }
  });
});
