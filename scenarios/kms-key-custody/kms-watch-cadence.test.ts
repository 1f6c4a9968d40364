import { describe, expect, it } from 'vitest';
import { runChecks } from '../../harness/checks/check.ts';
import type { CapabilityReport } from '../../harness/runtime/capabilities.ts';
import { History } from '../../harness/scenario/history.ts';
import { parseKmsRequests } from '../../sims/kms/kms.ts';
import { kmsWatch, kmsWatchCheck, type KmsWatchObservation } from './kms-watch-cadence.ts';

const noCapabilityNeeded = { entries: [] } as unknown as CapabilityReport;

/** A window of 10 s from t = 1000 with a poll every `periodMs`, the first `phaseMs` in. */
function window(periodMs: number, phaseMs: number): KmsWatchObservation {
  const pollsAtMs: number[] = [];
  for (let at = 1_000 + phaseMs; at <= 11_000; at += periodMs) pollsAtMs.push(at);
  return {
    kms: 'kms 10.42.0.3:5696',
    identity: 'vm1',
    source: '10.42.0.5',
    windowStartMs: 1_000,
    windowEndMs: 11_000,
    pollsAtMs,
  };
}

async function judge(o: KmsWatchObservation, bounds?: Record<string, number>) {
  const history = new History();
  if (bounds !== undefined) history.record('observation', 'bounds-in-force', bounds);
  history.record('observation', kmsWatch.name, o);
  const [result] = await runChecks([kmsWatchCheck], history, noCapabilityNeeded);
  return result;
}

describe('the KMS watch seen from the KMS', () => {
  it('passes a watch that asks every second, whatever its phase', async () => {
    for (const phase of [0, 300, 999]) {
      const result = await judge(window(1_050, phase));
      expect(result?.status, result?.summary).toBe('pass');
    }
  });

  it('fails a watch of 2 s or more against the 2 s bound, at any phase', async () => {
    for (const period of [2_000, 2_500, 3_000]) {
      for (const phase of [0, 700, 1_900]) {
        const result = await judge(window(period, phase));
        expect(result?.status, `${period} ms at phase ${phase}`).toBe('fail');
      }
    }
    expect((await judge(window(3_000, 0)))?.summary).toContain(
      '3000 ms without a state question from vm1 (from +0 ms): a revocation then is seen 1000 ms or more past the 2000 ms bound',
    );
  });

  it("fails a watch inside the 2 s bound but slower than the contract's 1 s interval", async () => {
    for (const period of [1_400, 1_800]) {
      for (const phase of [0, 900]) {
        const result = await judge(window(period, phase));
        expect(result?.status, `${period} ms at phase ${phase}`).toBe('fail');
        expect(result?.summary).toMatch(
          new RegExp(
            `^vm1 asks every ${period} ms \\(median of \\d+ gaps\\), slower than the 1000 ms KMS watch interval \\(at most 1200 ms\\)$`,
          ),
        );
      }
    }
  });

  it('counts the edges of the window: a watch that never asked, or stopped, fails', async () => {
    expect((await judge({ ...window(1_000, 0), pollsAtMs: [] }))?.status).toBe('fail');
    expect((await judge({ ...window(1_000, 0), pollsAtMs: [1_500, 2_500] }))?.status).toBe('fail');
  });

  it("judges against a stack's tighter bound", async () => {
    expect((await judge(window(1_050, 0), { kmsRevocationMs: 1_000 }))?.status).toBe('fail');
  });

  it('is unknown without the observation', async () => {
    const [result] = await runChecks([kmsWatchCheck], new History(), noCapabilityNeeded);
    expect(result?.status).toBe('unknown');
  });
});

describe('the KMS request log', () => {
  it('reads each operation with its identity and source, and skips other lines', () => {
    expect(
      parseKmsRequests(
        '1764700000123 vm1 10.42.0.5 GetAttributes\nnoise\n1764700000456 vm1 127.0.0.1 Locate\n',
      ),
    ).toEqual([
      { atMs: 1764700000123, identity: 'vm1', source: '10.42.0.5', operation: 'GetAttributes' },
      { atMs: 1764700000456, identity: 'vm1', source: '127.0.0.1', operation: 'Locate' },
    ]);
  });
});
