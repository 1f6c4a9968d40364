import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { boundsInForce } from '../../harness/scenario/scenario-bounds.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { upsPollBound } from './power-bounds.ts';
import type { PowerTimeline } from './power-checks.ts';
import { upsPolledPerContract } from './ups-poll-checks.ts';
import { upsPolls, type UpsPolls } from './ups-polls.ts';

const loss = 1_000_000;
const lb = loss + 7_500;

/** Polls every `everyMs` from `fromMs` up to `untilMs` (inclusive), jittered by a few ms. */
function pollsEvery(fromMs: number, untilMs: number, everyMs: number): number[] {
  const polls: number[] = [];
  for (let at = fromMs, i = 0; at <= untilMs; at += everyMs, i += 1) polls.push(at + (i % 3) * 4);
  return polls;
}

function history(
  hostPolls: number[],
  options: { otherRequests?: number; timeline?: Partial<PowerTimeline> } = {},
): History {
  const h = new History();
  const data: UpsPolls = {
    ups: 'ups1',
    upsName: 'ups1',
    host: 'vm1',
    hostAddress: '10.44.0.5',
    pollIntervalMs: 1_000,
    captureFromMs: loss - 5_000,
    captureUntilMs: lb + 8_000,
    hostPolls,
    otherRequests: options.otherRequests ?? 40,
  };
  h.record('observation', upsPolls.name, data);
  const timeline: PowerTimeline = {
    lossWallMs: loss,
    lowBatteryWallMs: lb,
    lowBatterySource: 'test',
    exhaustedWallMs: lb + 7_500,
    ...options.timeline,
  };
  h.record('observation', 'power-timeline', timeline);
  return h;
}

describe('ups-polled-per-contract', () => {
  const check = upsPolledPerContract('ups-polled', upsPollBound);
  const status = async (h: History) => (await checkStatuses([check], h))['ups-polled'];

  it('passes when the host polls every second, on line and on battery, until it saw LB', async () => {
    const verdict = await check.verify(history(pollsEvery(loss - 4_600, lb + 5_000, 1_000)));
    expect(verdict.status).toBe('pass');
    expect(verdict.summary).toMatch(
      /^vm1 polled upsd every 1000 ms or sooner \(widest gap 10\d\d ms/,
    );
  });

  it('fails a monitor that falls back to 5 s polls on battery, whatever the phase against LB', async () => {
    for (const phase of [0, 1_000, 2_500, 4_900]) {
      const online = pollsEvery(loss - 4_600, loss - 600, 1_000);
      const onBattery = pollsEvery(loss - 600 + 5_000 - phase, lb + 6_000, 5_000);
      const verdict = await check.verify(history([...online, ...onBattery]));
      expect(verdict.status, `phase ${phase}`).toBe('fail');
      expect(verdict.summary).toMatch(
        /left upsd unasked for \d+ ms .*beyond the 1000 ms poll interval/,
      );
    }
  });

  it('allows a late wake-up of a quarter interval, not more', async () => {
    const polls = pollsEvery(loss - 4_600, lb + 5_000, 1_000);
    const dropped = polls.findIndex((at) => at > loss);
    const without = polls.filter((_, i) => i !== dropped);
    const late = polls.map((at, i) => (i === dropped ? at + 200 : at));
    expect(await status(history(late))).toBe('pass');
    expect(await status(history(without))).toBe('fail');
  });

  it('fails when the host stops polling before it could have seen LB (an open gap)', async () => {
    const verdict = await check.verify(history(pollsEvery(loss - 4_600, lb - 1_000, 1_000)));
    expect(verdict.status).toBe('fail');
    expect(verdict.summary).toMatch(/never asking again before the capture ended/);
  });

  it('judges the gaps only until the first poll after LB (the stack may stop its monitor then)', async () => {
    const polls = [...pollsEvery(loss - 4_600, lb + 950, 1_000), lb + 6_000];
    expect(await status(history(polls))).toBe('pass');
  });

  it('holds a stack to its own tighter interval', async () => {
    const h = history(pollsEvery(loss - 4_600, lb + 5_000, 1_000));
    h.record('observation', boundsInForce.name, { [upsPollBound.name]: 500 });
    expect(await status(h)).toBe('fail');
  });

  it("is unknown when the capture saw none of the harness's own reads (a blind tap)", async () => {
    expect(
      await status(history(pollsEvery(loss - 4_600, lb + 5_000, 5_000), { otherRequests: 0 })),
    ).toBe('unknown');
  });

  it('is unknown when fewer than two polls of the host were seen on line', async () => {
    expect(await status(history([loss - 300, ...pollsEvery(loss + 400, lb + 5_000, 1_000)]))).toBe(
      'unknown',
    );
    expect(await status(history([]))).toBe('unknown');
  });

  it('is unknown without a capture or a timeline', async () => {
    expect(await status(new History())).toBe('unknown');
  });
});
