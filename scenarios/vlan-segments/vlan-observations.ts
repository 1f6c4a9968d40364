import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { VlanFrame } from './vlan-frames.ts';
import type { PortProfile } from './vlan-plan.ts';

/** The markers the harness puts in frames, each sent on one side only. */
export const markers = {
  /** Padding of the host's pings inside the sovereign VLAN. */
  sovereignCanary: 'sovereign-canary',
  /** Padding of the foreign station's own broadcast on its port: the foreign capture's control. */
  foreignControl: 'foreign-control',
  /** Padding of the host's pings after it tagged frames with the foreign VLAN's id. */
  foreignAttempt: 'foreign-attempt',
} as const;

/** A capture on a station's access port, read frame by frame. */
export interface PortCapture {
  station: string;
  zone: string;
  device: string;
  packets: number;
  frames: VlanFrame[];
  /** What tcpdump said the kernel dropped (absent: it did not say, so absence proves nothing). */
  droppedByKernel?: number;
  attachment: string;
}

/** The switch as its kernel holds it: each port's cable, planned profile and the ids it carries. */
export interface SwitchObservation {
  name: string;
  ports: { zone: string; device: string; profile: PortProfile; carries: number[] }[];
}

/** The host's attempt to join a VLAN: the sub-interface, and the probe out of it (vlanProbeCommand). */
export interface VlanJoin {
  vlan: number;
  parent: string;
  device: string;
  /** The kernel made the sub-interface; when it refused, `refusal` says why. */
  created: boolean;
  refusal?: string;
  /** The station the probe asked for by ARP; `sent` requests, `received` replies from it. */
  target: string;
  sent: number;
  received: number;
  /** The MAC address the sub-interface sends from. */
  mac?: string;
  output: string;
}

/** The host talked inside the sovereign VLAN while both access ports were captured. */
export interface SovereignTrafficObservation {
  join: VlanJoin;
  sovereignPort: PortCapture;
  foreignPort: PortCapture;
}

/** The host tagged frames with the foreign VLAN's id while the foreign port was captured. */
export interface ForeignJoinObservation {
  join: VlanJoin;
  foreignPort: PortCapture;
}

/** The typed names of vlan-segments' observations. */
export const observed = {
  switchPorts: observationKey<SwitchObservation>('vlan-switch-ports'),
  sovereignTraffic: observationKey<SovereignTrafficObservation>('vlan-sovereign-traffic'),
  foreignJoin: observationKey<ForeignJoinObservation>('vlan-foreign-join'),
};
