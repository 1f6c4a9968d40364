import { describe, expect, it } from 'vitest';
import { missingCapabilities, kernelFeatures, type CapabilityReport } from './capabilities.ts';
import { parseProbeOutput } from './capability-probe.ts';

describe('capability probe output', () => {
  it('reads yes and no lines with their reasons, and marks silent features unavailable', () => {
    const entries = parseProbeOutput(
      'netem no Error: Specified qdisc kind is unknown.\nvxlan yes\n',
    );
    expect(entries.find((e) => e.name === 'netem')).toEqual({
      name: 'netem',
      available: false,
      detail: 'Error: Specified qdisc kind is unknown.',
    });
    expect(entries.find((e) => e.name === 'vxlan')?.available).toBe(true);
    expect(entries.find((e) => e.name === 'gre')).toEqual({
      name: 'gre',
      available: false,
      detail: 'probe gave no answer',
    });
    expect(entries).toHaveLength(kernelFeatures.length);
  });

  it("answers for IPsec ESP and the CPU's AES-NI like any kernel feature", () => {
    const entries = parseProbeOutput(
      'xfrm-esp no RTNETLINK answers: Protocol not supported\naes-ni yes\nvlan-8021q no Error: Unknown device type.\n',
    );
    expect(entries.find((e) => e.name === 'xfrm-esp')).toEqual({
      name: 'xfrm-esp',
      available: false,
      detail: 'RTNETLINK answers: Protocol not supported',
    });
    expect(entries.find((e) => e.name === 'aes-ni')?.available).toBe(true);
    expect(entries.find((e) => e.name === 'vlan-8021q')?.available).toBe(false);
  });

  it('names what a scenario needs and the machine lacks', () => {
    const report = { entries: parseProbeOutput('vxlan yes\nnetem no x') } as CapabilityReport;
    expect(missingCapabilities(report, ['vxlan', 'netem', 'cap:NET_ADMIN'])).toEqual([
      'netem',
      'cap:NET_ADMIN',
    ]);
  });
});
