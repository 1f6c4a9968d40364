/**
 * The VLAN plan of vlan-segments: which 802.1Q ids the zones are, which ids each port of the
 * switch carries, and the addresses the stations take inside each VLAN. The world has no VLANs of
 * its own; each zone network of this scenario is one cable into the switch, and the plan says what
 * the switch's port on that cable is.
 */

/** A VLAN: its 802.1Q id, the jurisdiction it belongs to, and the subnet its stations use. */
export interface Vlan {
  id: number;
  kind: 'sovereign' | 'foreign';
  /** A /24 used only inside the VLAN; never routed, so it cannot collide with the zones' plan. */
  subnet: string;
}

export const vlans = {
  sovereign: { id: 100, kind: 'sovereign', subnet: '192.168.100.0/24' },
  foreign: { id: 200, kind: 'foreign', subnet: '192.168.200.0/24' },
} as const satisfies Record<string, Vlan>;

/**
 * A switch port: `access` carries one VLAN untagged (its frames get that id on entry), `trunk`
 * carries tagged frames of the listed ids only; the trunk's filter drops every other id.
 */
export type PortProfile =
  { mode: 'access'; vlan: number } | { mode: 'trunk'; vlans: readonly number[] };

/**
 * The switch's ports, by the zone (cable) they face. `trunk-all` is the provider's uplink that
 * carries every VLAN: the reference world does not cable it; a mutant plugs the host into it.
 */
export const portProfiles: Readonly<Record<string, PortProfile>> = {
  'trunk-sov': { mode: 'trunk', vlans: [vlans.sovereign.id] },
  'trunk-all': { mode: 'trunk', vlans: [vlans.sovereign.id, vlans.foreign.id] },
  'access-sov': { mode: 'access', vlan: vlans.sovereign.id },
  'access-foreign': { mode: 'access', vlan: vlans.foreign.id },
};

/** The host-side address of each VLAN (its join attempt) and the station's own. */
export const vlanAddresses = {
  host: { sovereign: '192.168.100.10', foreign: '192.168.200.10' },
  station: { sovereign: '192.168.100.2', foreign: '192.168.200.2' },
} as const;

export const prefixLength = 24;

/** The profile of the port facing a zone, or a clear error naming the planned ones. */
export function portProfileOf(zone: string): PortProfile {
  const profile = portProfiles[zone];
  if (profile === undefined)
    throw new TypeError(
      `the switch has no port planned for zone "${zone}"; planned: ${Object.keys(portProfiles).join(', ')}`,
    );
  return profile;
}

/** The VLAN ids a port admits, whatever its mode. */
export function admittedVlans(profile: PortProfile): number[] {
  return profile.mode === 'access' ? [profile.vlan] : [...profile.vlans];
}
