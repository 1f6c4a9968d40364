import { describe, expect, it } from 'vitest';
import type { ListeningSocket } from '../../harness/checks/probes/memory-scan.ts';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { knownKeys, sovereignPorts } from '../power-thermal/power-observations.ts';
import { criticalActionBound } from '../power-thermal/thermal-bounds.ts';
import { configuredCriticalPhase } from './critical-checks.ts';
import { keysWipedAtCritical, wipeScanPhases } from './critical-wipe-check.ts';

const crossingMs = 1_800_000_000_000;
const store: ListeningSocket = {
  proto: 'tcp',
  family: 'ipv4',
  address: '0.0.0.0',
  port: 8443,
  processes: [{ pid: 7, command: 'python3 -m residency.main' }],
};
const relay: ListeningSocket = { ...store, port: 8444 };

function scan(phase: string, startedAtMs: number, keys: string[], sockets: ListeningSocket[]) {
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

function history(options: {
  serving?: ReturnType<typeof scan> | null;
  due?: ReturnType<typeof scan> | null;
  crossed?: boolean;
}): History {
  const h = new History();
  h.record('observation', knownKeys.name, {
    host: 'vm1',
    keys: [
      { label: 'data-key', heldWhileServing: true },
      { label: 'kek', heldWhileServing: false },
    ].map((k) => ({ ...k, bytes: 32, sha256: '00', source: 'test' })),
  });
  h.record('observation', sovereignPorts.name, { host: 'vm1', ports: [8443, 8444] });
  h.record('observation', 'thermal-crossing', {
    phase: configuredCriticalPhase,
    sensor: 'cpu',
    thresholdC: 80,
    direction: 'rising',
    change: { modelS: 0, wallMs: crossingMs - 9_000 },
    crossingModelS: options.crossed === false ? undefined : 135,
    crossingWallMs: options.crossed === false ? undefined : crossingMs,
    speedup: 15,
  });
  const serving =
    options.serving === undefined
      ? scan(wipeScanPhases.serving, crossingMs - 20_000, ['data-key'], [store, relay])
      : options.serving;
  if (serving !== null) h.record('observation', 'memory-scan', serving);
  const due =
    options.due === undefined ? scan(wipeScanPhases.due, crossingMs + 3_100, [], []) : options.due;
  if (due !== null) h.record('observation', 'memory-scan', due);
  return h;
}

const check = keysWipedAtCritical('keys-wiped-at-critical', criticalActionBound);
const status = async (h: History) => (await checkStatuses([check], h))['keys-wiped-at-critical'];

describe('keys-wiped-at-critical', () => {
  it('passes a host with no key and no listener once the critical action is due', async () => {
    expect(await status(history({}))).toBe('pass');
  });

  it('fails a key left in memory, or a service left listening, once the action is due', async () => {
    const keyLeft = scan(wipeScanPhases.due, crossingMs + 3_100, ['data-key'], []);
    expect(await status(history({ due: keyLeft }))).toBe('fail');
    const relayLeft = scan(wipeScanPhases.due, crossingMs + 3_100, [], [relay]);
    expect(await status(history({ due: relayLeft }))).toBe('fail');
  });

  it('judges only a scan that started once the action was due', async () => {
    const early = scan(wipeScanPhases.due, crossingMs + 2_900, ['data-key'], [store]);
    expect(await status(history({ due: early }))).toBe('unknown');
    expect(await status(history({ due: null }))).toBe('unknown');
  });

  it('is unknown when the scan while serving missed the key or a port, or the CPU never crossed', async () => {
    const blind = scan(wipeScanPhases.serving, crossingMs - 20_000, [], [store, relay]);
    expect(await status(history({ serving: blind }))).toBe('unknown');
    const deaf = scan(wipeScanPhases.serving, crossingMs - 20_000, ['data-key'], [store]);
    expect(await status(history({ serving: deaf }))).toBe('unknown');
    expect(await status(history({ serving: null }))).toBe('unknown');
    expect(await status(history({ crossed: false }))).toBe('unknown');
  });
});
