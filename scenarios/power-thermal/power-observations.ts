import { observationKey } from '../../harness/scenario/observation-key.ts';

/** The keys the harness learnt from outside the stack, by fingerprint (never the keys). */
export interface KnownKeys {
  host: string;
  keys: {
    label: string;
    bytes: number;
    sha256: string;
    source: string;
    /** Held in memory while the host serves: the scans before the outage must find it. */
    heldWhileServing: boolean;
  }[];
}

export const knownKeys = observationKey<KnownKeys>('known-keys');

/** The ports of the sovereign services the host must serve, and stop in a residency shutdown. */
export interface SovereignPorts {
  host: string;
  ports: number[];
}

export const sovereignPorts = observationKey<SovereignPorts>('sovereign-ports');
