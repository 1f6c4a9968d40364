import type { ListeningSocket } from '../../harness/checks/probes/memory-scan.ts';
import { hostPorts } from '../../harness/contract/host-ports.ts';
import type { History } from '../../harness/scenario/history.ts';
import { knownKeys, sovereignPorts } from './power-observations.ts';

/** Made-up scans for the unit tests of the wipe checks: one store process of host vm1. */
export const storeSocket: ListeningSocket = {
  proto: 'tcp',
  family: 'ipv4',
  address: '0.0.0.0',
  port: hostPorts.store,
  processes: [{ pid: 7, command: 'python3 -m residency.main' }],
};
export const relaySocket: ListeningSocket = { ...storeSocket, port: hostPorts.envelopeRelay };

export function scanFixture(
  phase: string,
  startedAtMs: number,
  keys: string[],
  sockets: ListeningSocket[],
) {
  return {
    phase,
    host: 'vm1',
    startedAtMs,
    finishedAtMs: startedAtMs + 600,
    processes: [
      {
        pid: 7,
        command: 'python3 -m residency.main',
        regions: 10,
        bytes: 1000,
        hits: keys.map((label) => ({ label, address: '0x1', region: '[heap]' })),
      },
    ],
    files: [],
    filesScanned: 0,
    sockets,
    ephemeralPorts: [32768, 60999],
    errors: [],
    foundInMemory: keys,
  };
}

export type ScanFixture = ReturnType<typeof scanFixture>;

/** The keys learnt from outside (the data key held while serving) and the ports of vm1. */
export function recordKeysAndPorts(h: History): void {
  h.record('observation', knownKeys.name, {
    host: 'vm1',
    keys: [
      { label: 'data-key', heldWhileServing: true },
      { label: 'kek', heldWhileServing: false },
    ].map((k) => ({ ...k, bytes: 32, sha256: '00', source: 'test' })),
  });
  h.record('observation', sovereignPorts.name, {
    host: 'vm1',
    ports: [hostPorts.store, hostPorts.envelopeRelay],
  });
}
