import { describe, expect, it } from 'vitest';
import { planZoneNetworks } from '../../harness/topology/address-plan.ts';
import type { TopologyInput } from '../../harness/topology/topology-schema.ts';
import { resolveTopology } from '../../harness/topology/topology-validator.ts';
import { admittedVlans, portProfileOf, vlans } from './vlan-plan.ts';
import scenario, { nodes } from './vlan-segments.ts';

const kinds = { knownServiceKinds: ['router'] };

function variant(name?: string): TopologyInput {
  const mutant = scenario.mutants.find((m) => m.name === name);
  return mutant?.topology?.(scenario.topology) ?? scenario.topology;
}

/**
 * The VLAN ids that reach each node's cable through the switch, as the plan configures its ports:
 * for every node the zone it sits on, and the ids the switch's port on that zone admits.
 */
function idsAt(input: TopologyInput): Record<string, number[]> {
  const topology = resolveTopology(input, kinds);
  const sw = topology.services.find((s) => s.name === nodes.switch);
  const switchZones = sw === undefined ? [] : [sw.zone, ...sw.legs];
  const zoneOf = (name: string) =>
    topology.services.find((s) => s.name === name)?.zone ??
    topology.hosts.find((h) => h.name === name)?.zone ??
    '';
  return Object.fromEntries(
    [nodes.host, nodes.sovereignStation, nodes.foreignStation].map((name) => {
      const zone = zoneOf(name);
      return [name, switchZones.includes(zone) ? admittedVlans(portProfileOf(zone)) : []];
    }),
  );
}

describe('vlan-segments', () => {
  it('needs 802.1Q, so that a kernel without it reports every check not applicable, by name', () => {
    expect(scenario.needs).toContain('vlan-8021q');
  });

  it('cables every node to a port the plan knows, each zone a network of its own', () => {
    const topology = resolveTopology(variant(), kinds);
    expect(planZoneNetworks(topology).map((n) => n.zone)).toEqual([
      'trunk-sov',
      'access-sov',
      'access-foreign',
    ]);
    for (const zone of topology.zones) expect(() => portProfileOf(zone.name)).not.toThrow();
  });

  it('puts the sovereign id on the host and the sovereign station, the foreign id on the foreign station only', () => {
    expect(idsAt(variant())).toEqual({
      [nodes.host]: [vlans.sovereign.id],
      [nodes.sovereignStation]: [vlans.sovereign.id],
      [nodes.foreignStation]: [vlans.foreign.id],
    });
  });

  it('lets the sovereign VLAN reach the foreign station when it is patched into the sovereign port', () => {
    expect(idsAt(variant('foreign-station-on-sovereign-port'))[nodes.foreignStation]).toEqual([
      vlans.sovereign.id,
    ]);
  });

  it("lets the foreign id onto the host's cable when it is plugged into the all-VLAN trunk", () => {
    const ids = idsAt(variant('host-may-tag-foreign'));
    expect(ids[nodes.host]).toEqual([vlans.sovereign.id, vlans.foreign.id]);
    expect(ids[nodes.foreignStation]).toEqual([vlans.foreign.id]);
  });

  it('has a mutant for every check', () => {
    const named = new Set(scenario.mutants.flatMap((m) => m.expectFailing));
    expect(scenario.checks.map((c) => c.name).filter((c) => !named.has(c))).toEqual([]);
  });
});
