import { describe, expect, it } from 'vitest';
import { memberAddress, planZoneNetworks } from './address-plan.ts';
import { TopologyError } from './topology-error.ts';
import { resolveTopology } from './topology-validator.ts';

const context = { knownServiceKinds: ['kms'] };

describe('address plan', () => {
  it('gives each zone /24 candidates inside its CIDRs and each member a stable offset', () => {
    const topology = resolveTopology(
      {
        zones: [
          { name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.40.0.0/23'] },
        ],
        services: [{ name: 'kms1', kind: 'kms', zone: 'sovereign' }],
        hosts: [{ name: 'vm1', zone: 'sovereign' }],
      },
      context,
    );
    const [plan] = planZoneNetworks(topology);
    expect(plan?.subnetCandidates).toEqual(['10.40.0.0/24', '10.40.1.0/24']);
    expect(plan && memberAddress(plan, '10.40.1.0/24', 'observer-sovereign')).toBe('10.40.1.2');
    expect(plan && memberAddress(plan, '10.40.1.0/24', 'kms1')).toBe('10.40.1.3');
    expect(plan && memberAddress(plan, '10.40.1.0/24', 'vm1-machine')).toBe('10.40.1.4');
  });

  it('says how wide a zone must be when its members do not fit', () => {
    const topology = resolveTopology(
      {
        zones: [{ name: 'tiny', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.40.0.0/30'] }],
        hosts: [
          { name: 'vm1', zone: 'tiny' },
          { name: 'vm2', zone: 'tiny' },
        ],
      },
      context,
    );
    expect(() => planZoneNetworks(topology)).toThrow(TopologyError);
    expect(() => planZoneNetworks(topology)).toThrow(
      /needs 6 addresses .* widen the zone's CIDRs to at least \/29/,
    );
  });
});
