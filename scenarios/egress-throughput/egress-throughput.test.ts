import { describe, expect, it } from 'vitest';
import type { IperfResult } from '../../harness/checks/probes/iperf-probe.ts';
import { compareThroughput, judgeThroughput, minimumRatio } from './egress-throughput.ts';

const result = (gbit: number): IperfResult => ({
  from: 'probe',
  target: '10.40.0.3',
  ok: true,
  bitsPerSecond: gbit * 1e9,
  retransmits: 0,
  seconds: 2,
  detail: 'iperf3 TCP',
});

/** Rounds whose fenced side reads `ratios` of an unfenced side drifting between 9 and 17 Gbit/s. */
function rounds(ratios: number[]) {
  const unfenced = ratios.map((_, i) => 9 + ((i * 5) % 9));
  return compareThroughput(
    ratios.map((r, i) => result(r * (unfenced[i] ?? 0))),
    unfenced.map(result),
  );
}

describe('judgeThroughput', () => {
  it('passes a median ratio at the bound or above', () => {
    expect(judgeThroughput(rounds([1.2, 0.87, 0.95, 1.0, 0.9, 1.1, 0.96]), minimumRatio)).toBe(
      'within',
    );
  });

  it('calls a short median that the spread of the rounds explains undecided', () => {
    // Median 0.93; four of ten rounds above the bound: noise can put a true 0.95 there.
    const c = rounds([0.8, 0.85, 0.9, 0.92, 0.93, 0.93, 0.97, 1.0, 1.1, 1.2]);
    expect(c.ratio).toBeCloseTo(0.93);
    expect(judgeThroughput(c, minimumRatio)).toBe('undecided');
  });

  it('fails a fence whose rounds sit below the bound beyond their noise', () => {
    // A 200 Mbit/s shaper: every round near 0.02.
    expect(judgeThroughput(rounds(Array(10).fill(0.02) as number[]), minimumRatio)).toBe('below');
    // A fence costing about 15 %, with the machine's noise around it, over thirty rounds.
    const costly = Array.from({ length: 30 }, (_, i) => 0.85 + ((i * 7) % 11) * 0.02 - 0.1);
    expect(judgeThroughput(rounds(costly), minimumRatio)).toBe('below');
  });
});
