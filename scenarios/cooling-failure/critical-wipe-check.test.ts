import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import {
  recordKeysAndPorts,
  relaySocket,
  scanFixture,
  storeSocket,
  type ScanFixture,
} from '../power-thermal/memory-scan-fixture.ts';
import { criticalActionBound } from '../power-thermal/thermal-bounds.ts';
import { configuredCriticalPhase } from './critical-checks.ts';
import { keysWipedAtCritical, wipeScanPhases } from './critical-wipe-check.ts';

const crossingMs = 1_800_000_000_000;
const scan = scanFixture;
const store = storeSocket;
const relay = relaySocket;

function history(options: {
  serving?: ScanFixture | null;
  due?: ScanFixture | null;
  crossed?: boolean;
}): History {
  const h = new History();
  recordKeysAndPorts(h);
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
