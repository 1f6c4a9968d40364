import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { ZoneFacts } from '../encapsulation-check/encapsulation-evidence.ts';
import type { Crossing } from './ipsec-packets.ts';
import type { XfrmPolicy, XfrmState } from './ipsec-xfrm.ts';

/** A site as the world has it: its router and the ranges of the zones behind it. */
export interface SiteFacts {
  router: string;
  zones: string[];
  ranges: string[];
}

/** One site router's end of the tunnel, as its kernel holds it. */
export interface TunnelEndObservation {
  router: string;
  /** The address the harness keyed as this router's endpoint. */
  endpoint: string;
  states: XfrmState[];
  policies: XfrmPolicy[];
}

/** The tunnel read back from both site routers, beside the topology's zones and sites. */
export interface TunnelObservation {
  zones: ZoneFacts[];
  sites: { a: SiteFacts; b: SiteFacts };
  ends: TunnelEndObservation[];
}

/** What crossed the exchange while the harness (and the host) sent between the sites. */
export interface ExchangeObservation {
  router: string;
  device: string;
  packets: number;
  /** The positive control: a datagram the harness sent in clear across the exchange, outside the tunnel. */
  canary: string;
  canarySeen: boolean;
  crossings: Crossing[];
  /** Who sent to whom, in order: the traffic the capture should show sealed. */
  sent: string[];
  tcpdump: string[];
  /** What tcpdump said the kernel dropped before it read them (absent: it did not say). */
  droppedByKernel?: number;
  attachment: string;
}

/** The typed names of ipsec-tunnel's observations. */
export const observed = {
  tunnel: observationKey<TunnelObservation>('ipsec-tunnel-ends'),
  exchange: observationKey<ExchangeObservation>('ipsec-exchange-capture'),
};
