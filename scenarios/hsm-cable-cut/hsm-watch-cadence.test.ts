import { describe, expect, it } from 'vitest';
import { runChecks } from '../../harness/checks/check.ts';
import { parseHsmCall } from '../../harness/checks/probes/hsm-calls.ts';
import type { CapabilityReport } from '../../harness/runtime/capabilities.ts';
import { History } from '../../harness/scenario/history.ts';
import { hsmWatch, hsmWatchCheck, type HsmWatchObservation } from './hsm-watch-cadence.ts';

const noCapabilityNeeded = { entries: [] } as unknown as CapabilityReport;

/** Pings every `periodMs` from `phaseMs` into the window [1000, 4000]. */
function pings(periodMs: number, phaseMs: number): number[] {
  const out: number[] = [];
  for (let at = 1_000 + phaseMs; at <= 4_000; at += periodMs) out.push(at);
  return out;
}

function observation(links: HsmWatchObservation['links']): HsmWatchObservation {
  return { hsm: 'hsm-a', hosts: ['vm1', 'vm2'], windowStartMs: 1_000, windowEndMs: 4_000, links };
}

async function judge(...watches: HsmWatchObservation[]) {
  const history = new History();
  for (const o of watches) history.record('observation', hsmWatch.name, o);
  const [result] = await runChecks([hsmWatchCheck], history, noCapabilityNeeded);
  return result;
}

describe('the HSM watch seen from the HSM', () => {
  it('passes two links pinged every half second', async () => {
    const result = await judge(
      observation([
        { process: '17', pingsAtMs: pings(505, 100) },
        { process: '18', pingsAtMs: pings(505, 400) },
      ]),
    );
    expect(result?.status, result?.summary).toBe('pass');
  });

  it('fails a link pinged once a bound or more apart, at any phase', async () => {
    for (const period of [1_000, 1_500, 3_000]) {
      for (const phase of [0, 250, 900]) {
        const result = await judge(
          observation([
            { process: '17', pingsAtMs: pings(505, 100) },
            { process: '18', pingsAtMs: pings(period, phase) },
          ]),
        );
        expect(result?.status, `${period} ms at phase ${phase}`).toBe('fail');
        expect(result?.summary).toMatch(/^hsm-a link 18: \d+ ms without a ping/);
      }
    }
  });

  it("fails a link pinged inside the bound but slower than the contract's 0.5 s interval", async () => {
    for (const period of [700, 900]) {
      for (const phase of [0, 300]) {
        const result = await judge(
          observation([
            { process: '17', pingsAtMs: pings(505, 100) },
            { process: '18', pingsAtMs: pings(period, phase) },
          ]),
        );
        expect(result?.status, `${period} ms at phase ${phase}`).toBe('fail');
        expect(result?.summary).toContain(`hsm-a link 18: pinged every ${period} ms (median of `);
        expect(result?.summary).toContain(
          'slower than the 500 ms HSM watch interval (at most 600 ms)',
        );
      }
    }
  });

  it('passes a watch whose timer runs late now and then, the median at the interval', async () => {
    const late = [1_100, 1_601, 2_102, 2_703, 3_204, 3_705];
    const result = await judge(
      observation([
        { process: '17', pingsAtMs: late },
        { process: '18', pingsAtMs: pings(590, 50) },
      ]),
    );
    expect(result?.status, result?.summary).toBe('pass');
  });

  it('judges every HSM of the world: one slow cell fails the check, naming its HSM', async () => {
    const cellB = {
      ...observation([{ process: '31', pingsAtMs: pings(1_500, 200) }]),
      hsm: 'hsm-b',
      hosts: ['b1'],
    };
    const fast = observation([
      { process: '17', pingsAtMs: pings(505, 100) },
      { process: '18', pingsAtMs: pings(505, 400) },
    ]);
    const result = await judge(fast, cellB);
    expect(result?.status).toBe('fail');
    expect(result?.summary).toMatch(/^hsm-b link 31: 1500 ms without a ping/);
    const bothFast = await judge(fast, {
      ...cellB,
      links: [{ process: '31', pingsAtMs: pings(505, 0) }],
    });
    expect(bothFast?.status, bothFast?.summary).toBe('pass');
    expect(bothFast?.summary).toMatch(/link\(s\) to hsm-a, .*; 1 link\(s\) to hsm-b, /);
  });

  it('is unknown, not a pass, when no HSM watch was observed', async () => {
    const result = await judge();
    expect(result?.status).toBe('unknown');
  });

  it('fails when a host has no link that was pinged', async () => {
    const result = await judge(observation([{ process: '17', pingsAtMs: pings(505, 100) }]));
    expect(result?.status).toBe('fail');
    expect(result?.summary).toBe('1 link(s) pinged hsm-a in 3000 ms, for 2 hosts (vm1, vm2)');
  });
});

describe("the HSM's RPC log", () => {
  it('reads the time, the server process and the call of each entry', () => {
    expect(
      parseHsmCall(
        '2026-12-03T18:20:30.123456789Z (p11-kit:17) rpc_C_GetSessionInfo: GetSessionInfo: enter',
      ),
    ).toEqual({
      atMs: Date.parse('2026-12-03T18:20:30.123Z'),
      call: 'C_GetSessionInfo',
      process: '17',
    });
    expect(parseHsmCall('2026-12-03T18:20:30.123Z rpc_C_Decrypt: enter')).toEqual({
      atMs: Date.parse('2026-12-03T18:20:30.123Z'),
      call: 'C_Decrypt',
    });
    expect(
      parseHsmCall('2026-12-03T18:20:30.123Z (p11-kit:17) rpc_C_GetSessionInfo: ret: 0'),
    ).toBeUndefined();
  });
});
