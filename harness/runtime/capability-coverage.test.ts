import { describe, expect, it } from 'vitest';
import { containerCapabilities, kernelFeatures, type CapabilityReport } from './capabilities.ts';
import { coversEveryCapability } from './capability-probe.ts';

function reportOf(names: string[]): CapabilityReport {
  return {
    probedAt: '',
    engine: { address: '', flavour: '', version: '', apiVersion: '', kernel: '' },
    entries: names.map((name) => ({
      name: name as CapabilityReport['entries'][number]['name'],
      available: true,
      detail: '',
    })),
  };
}

describe('coversEveryCapability', () => {
  const all = [...kernelFeatures, ...containerCapabilities.map((c) => `cap:${c}`)];

  it('accepts a cached report that answers for every known feature and capability', () => {
    expect(coversEveryCapability(reportOf(all))).toBe(true);
  });

  it('rejects a cached report made before a capability was added, so it is probed anew', () => {
    expect(coversEveryCapability(reportOf(all.filter((name) => name !== 'cap:AUDIT_READ')))).toBe(
      false,
    );
  });
});
