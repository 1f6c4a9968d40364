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
import { haltScanPhases, keysWipedAtHalt } from './halt-wipe-check.ts';
import { auditRoomBytes, haltBound } from './log-or-die-checks.ts';
import { observed } from './log-or-die-evidence.ts';

const filledAtMs = 1_800_000_000_000;
const dueMs = filledAtMs + haltBound.contract;

function history(options: { due?: ScanFixture; freeBytesAfter?: number }): History {
  const h = new History();
  recordKeysAndPorts(h);
  h.record(
    'observation',
    'memory-scan',
    scanFixture(
      haltScanPhases.serving,
      filledAtMs - 5_000,
      ['data-key'],
      [storeSocket, relaySocket],
    ),
  );
  h.record('observation', observed.auditDiskFilled.name, {
    host: 'vm1',
    filledAtMs,
    bytesWritten: 1_000_000,
    freeBytesAfter: options.freeBytesAfter ?? 12 * 1024,
    thresholdBytes: auditRoomBytes,
  });
  h.record('observation', observed.halt.name, {
    host: 'vm1',
    writesDuringWatch: false,
    haltedAtMs: filledAtMs + 1_200,
    reopened: 0,
    filledAtMs,
  });
  h.record(
    'observation',
    'memory-scan',
    options.due ?? scanFixture(haltScanPhases.due, dueMs + 100, [], []),
  );
  return h;
}

const status = async (h: History) =>
  (await checkStatuses([keysWipedAtHalt], h))['keys-wiped-at-halt'];

describe('keys-wiped-at-halt', () => {
  it('passes a host with no key and no listener once the halt is due', async () => {
    expect(await status(history({}))).toBe('pass');
  });

  it('fails a halt that stopped the services but left the data key in memory', async () => {
    const kept = scanFixture(haltScanPhases.due, dueMs + 100, ['data-key'], []);
    expect(await status(history({ due: kept }))).toBe('fail');
  });

  it('is unknown when the fill left the contract level free, or the scan came before the bound', async () => {
    expect(await status(history({ freeBytesAfter: auditRoomBytes }))).toBe('unknown');
    const early = scanFixture(haltScanPhases.due, dueMs - 1_000, [], []);
    expect(await status(history({ due: early }))).toBe('unknown');
  });
});
