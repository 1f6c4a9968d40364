import { defineScenario } from '../../harness/scenario/scenario.ts';
import type { TopologyInput } from '../../harness/topology/topology-schema.ts';
import { vlanChecks } from './vlan-checks.ts';
import { addressStation, capturePort, joinVlan, leaveVlan, wireSwitch } from './vlan-evidence.ts';
import { markers, observed, type PortCapture, type VlanJoin } from './vlan-observations.ts';
import { vlanAddresses, vlans } from './vlan-plan.ts';

/** The switch, and a station on each access port: the sovereign zone's and a foreign tenant's. */
export const nodes = {
  switch: 'sw',
  sovereignStation: 'sov-end',
  foreignStation: 'foreign-end',
  host: 'vm1',
} as const;

/**
 * Each zone is one cable into the switch; vlan-plan.ts says what the switch's port on it is. The
 * host's cable is the trunk, carrying the sovereign VLAN tagged; each station sits on an access
 * port of its VLAN. The stations are routers used as plain end stations: harness containers with
 * NET_ADMIN and tcpdump, whose kernels answer ARP for their VLAN address.
 */
const topology: TopologyInput = {
  zones: [
    { name: 'trunk-sov', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.56.0.0/16'] },
    { name: 'access-sov', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.57.0.0/16'] },
    { name: 'access-foreign', jurisdiction: 'US', kind: 'foreign', cidrs: ['10.92.0.0/16'] },
  ],
  services: [
    {
      name: nodes.switch,
      kind: 'router',
      zone: 'trunk-sov',
      legs: ['access-sov', 'access-foreign'],
    },
    { name: nodes.sovereignStation, kind: 'router', zone: 'access-sov' },
    { name: nodes.foreignStation, kind: 'router', zone: 'access-foreign' },
  ],
  hosts: [{ name: nodes.host, zone: 'trunk-sov' }],
};

/** The foreign tenant's station is patched into the sovereign VLAN's access port. */
export function foreignStationOnSovereignPort(input: TopologyInput): TopologyInput {
  return {
    ...input,
    services: (input.services ?? []).map((s) =>
      s.name === nodes.foreignStation ? { ...s, zone: 'access-sov' } : s,
    ),
  };
}

/**
 * The host's cable goes to the provider's uplink port, a trunk that carries every VLAN, in place
 * of the sovereign trunk: the port's filter no longer keeps the foreign id off the host's cable.
 */
export function hostOnAllVlanTrunk(input: TopologyInput): TopologyInput {
  const rename = (zone: string) => (zone === 'trunk-sov' ? 'trunk-all' : zone);
  return {
    ...input,
    zones: input.zones.map((z) => ({ ...z, name: rename(z.name) })),
    services: (input.services ?? []).map((s) => ({ ...s, zone: rename(s.zone) })),
    hosts: (input.hosts ?? []).map((h) =>
      h.zone === undefined ? h : { ...h, zone: rename(h.zone) },
    ),
  };
}

/**
 * The manual's 802.1Q layer: zones as VLANs on one trunk. The switch keeps the sovereign VLAN's
 * frames off every foreign port, and its trunk filter keeps a host from joining a foreign VLAN by
 * tagging its own frames. Judged from the ports: captures on the stations' access ports, and
 * what the stations answer.
 */
export default defineScenario({
  name: 'vlan-segments',
  description:
    'Zones as 802.1Q VLANs on one trunk: no frame of the sovereign VLAN reaches a foreign port, and a host that tags the foreign VLAN id reaches nothing through the trunk filter',
  needs: ['vlan-8021q'],
  // The segmentation under the egress fence: the host runs with its fence up, as link-latency's
  // does, and the probe's packet socket passes that fence by design, so the trunk alone is judged.
  sections: ['egress'],
  topology,
  async run(context) {
    const { world } = context;
    const host = world.host(nodes.host);
    const draws = context.random.stream('vlan-markers');
    const hex = { canary: draws.hex(8), control: draws.hex(8), attempt: draws.hex(8) };
    const markerBytes = {
      [markers.sovereignCanary]: Buffer.from(hex.canary, 'hex'),
      [markers.foreignControl]: Buffer.from(hex.control, 'hex'),
      [markers.foreignAttempt]: Buffer.from(hex.attempt, 'hex'),
    };
    const control = { markerHex: hex.control };

    await context.step('wire the switch and address the stations', async () => {
      await wireSwitch(context, nodes.switch);
      await addressStation(context, nodes.sovereignStation, vlanAddresses.station.sovereign);
      await addressStation(context, nodes.foreignStation, vlanAddresses.station.foreign);
    });
    await context.step(
      'talk inside the sovereign VLAN while both access ports capture',
      async () => {
        // The foreign port's capture spans the sovereign port's, so it holds every frame sent.
        let inner: { join: VlanJoin; sovereignPort: PortCapture } | undefined;
        const foreignPort = await capturePort(
          context,
          nodes.foreignStation,
          { name: 'foreign-port-sovereign-traffic', markers: markerBytes, control },
          async () => {
            let join: VlanJoin | undefined;
            const sovereignPort = await capturePort(
              context,
              nodes.sovereignStation,
              { name: 'sovereign-port', markers: markerBytes },
              async () => {
                join = await joinVlan(host, vlans.sovereign, {
                  address: vlanAddresses.host.sovereign,
                  target: vlanAddresses.station.sovereign,
                  markerHex: hex.canary,
                });
              },
            );
            if (join !== undefined) inner = { join, sovereignPort };
          },
        );
        if (inner !== undefined)
          context.observe(observed.sovereignTraffic, { ...inner, foreignPort });
        await leaveVlan(host, vlans.sovereign);
      },
    );
    await context.step(
      'tag the foreign VLAN on the host while the foreign port captures',
      async () => {
        let join: VlanJoin | undefined;
        const foreignPort = await capturePort(
          context,
          nodes.foreignStation,
          { name: 'foreign-port-join-attempt', markers: markerBytes, control },
          async () => {
            join = await joinVlan(host, vlans.foreign, {
              address: vlanAddresses.host.foreign,
              target: vlanAddresses.station.foreign,
              markerHex: hex.attempt,
            });
          },
        );
        if (join !== undefined) context.observe(observed.foreignJoin, { join, foreignPort });
        await leaveVlan(host, vlans.foreign);
      },
    );
  },
  checks: vlanChecks,
  mutants: [
    {
      name: 'foreign-station-on-sovereign-port',
      description:
        "The foreign tenant's station is patched into the sovereign VLAN's access port: the sovereign VLAN's broadcasts reach a foreign machine",
      expectFailing: ['sovereign-frames-stay-off-foreign-port'],
      topology: foreignStationOnSovereignPort,
    },
    {
      name: 'host-may-tag-foreign',
      description:
        "The host's cable goes to the uplink trunk that carries every VLAN: the trunk filter lets the host's frames tagged with the foreign VLAN id through to the foreign station",
      expectFailing: ['host-cannot-join-foreign-vlan'],
      topology: hostOnAllVlanTrunk,
    },
  ],
});
