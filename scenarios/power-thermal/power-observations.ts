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

/** The canary files the harness planted in the host: the file scans must find every one. */
export interface FileCanary {
  host: string;
  label: string;
  /** Host paths, each read by the scans of the host's files. */
  paths: string[];
  /** Those on a VM disk: the scan of the disks mounted from outside must find them too. */
  diskPaths: string[];
}

export const fileCanary = observationKey<FileCanary>('file-canary');
