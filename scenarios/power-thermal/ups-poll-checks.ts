import { lastObservation, MissingEvidence, type Check } from '../../harness/checks/check.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import type { ContractBound } from '../../harness/contract/contract-bounds.ts';
import { boundValue } from '../../harness/scenario/scenario-bounds.ts';
import type { PowerTimeline } from './power-checks.ts';
import { upsPolls } from './ups-polls.ts';

/**
 * How late a poll may come against the interval: the monitor sleeps a whole interval after each
 * poll's round trip, and a loaded two-core machine delays a process's wake-up now and then. A
 * quarter of an interval; a monitor polling at NUT's default 5 s is four intervals late.
 */
export function pollAllowanceMs(intervalMs: number): number {
  return Math.round(intervalMs / 4);
}

/** One gap between two status polls of the host, or from its last poll to the capture's end. */
interface PollGap {
  fromMs: number;
  toMs: number;
  /** No poll closed it: the capture ended first. */
  open: boolean;
}

/**
 * The host's monitor polled upsd at the contract's pace until it could have seen the critical
 * status: every gap between two of its status requests captured at upsd, from the first one the
 * capture saw (on line, before the mains failed) to the first one after upsd reported LB or FSD,
 * is at most the poll interval (plus the allowance for a late wake-up). Judged from a capture in
 * the UPS's network namespace, never from the stack's configuration or log.
 */
export function upsPolledPerContract(name: string, bound: ContractBound): Check {
  return {
    name,
    description: `The host's UPS monitor asks upsd for the status at least every poll interval (contract: ${bound.contract} ms; its key-wipe bound is two of them), on line and on battery, until the poll after upsd reported LB or FSD: judged from the requests captured in the UPS's own network namespace`,
    verify(history) {
      const polls = lastObservation(history, upsPolls).data;
      const t = lastObservation<PowerTimeline>(history, 'power-timeline').data;
      const intervalMs = Math.min(boundValue(history, bound), polls.pollIntervalMs);
      const allowedMs = intervalMs + pollAllowanceMs(intervalMs);
      if (polls.otherRequests === 0)
        throw new MissingEvidence(
          upsPolls.name,
          "the capture at upsd saw none of the harness's own upsc reads, so what it did not see of the host proves nothing",
        );
      const online = polls.hostPolls.filter((at) => at < t.lossWallMs);
      if (online.length < 2)
        throw new MissingEvidence(
          upsPolls.name,
          `the capture at upsd saw ${online.length} status poll(s) of ${polls.host} (${polls.hostAddress}) before the mains failed, so it cannot tell its pace`,
        );
      const critical = t.lowBatteryWallMs;
      const seenAt = polls.hostPolls.findIndex((at) => at >= critical);
      const judged = seenAt === -1 ? polls.hostPolls : polls.hostPolls.slice(0, seenAt + 1);
      const gaps: PollGap[] = judged
        .slice(1)
        .map((at, i) => ({ fromMs: judged[i] ?? at, toMs: at, open: false }));
      if (seenAt === -1) {
        const last = judged.at(-1) ?? critical;
        gaps.push({ fromMs: last, toMs: polls.captureUntilMs, open: true });
      }
      const widest = gaps.reduce((a, b) => (b.toMs - b.fromMs > a.toMs - a.fromMs ? b : a));
      const widestMs = widest.toMs - widest.fromMs;
      const rel = (at: number) => `${at - t.lossWallMs} ms after the mains failed`;
      const onBattery = gaps.filter((g) => g.toMs >= t.lossWallMs);
      const slow = gaps.filter((g) => g.toMs - g.fromMs > allowedMs);
      const expected = `a status poll of ${polls.host} at least every ${intervalMs} ms (+${allowedMs - intervalMs} ms for a late wake-up) until the first after upsd reported ${t.criticalStatus ?? 'LB'}`;
      const observed = `${judged.length} polls, ${online.length} before the mains failed; widest gap ${widestMs} ms (${rel(widest.fromMs)})${seenAt === -1 ? '; no poll after the critical status' : `; first poll after the critical status ${(judged[seenAt] ?? critical) - critical} ms after it`}`;
      const evidence = [
        {
          source: `tcpdump in ${polls.ups}'s network namespace, port 3493 (GET VAR ${polls.upsName} ups.status from ${polls.hostAddress})`,
          excerpt: [
            `capture ${new Date(polls.captureFromMs).toISOString()} to ${new Date(polls.captureUntilMs).toISOString()}; ${polls.otherRequests} requests from the harness's own upsc`,
            `gaps on battery (ms): ${onBattery.map((g) => `${g.toMs - g.fromMs}${g.open ? '+ (open)' : ''}`).join(' ') || 'none'}`,
            ...slow
              .slice(0, 5)
              .map(
                (g) =>
                  `${g.toMs - g.fromMs} ms without a poll from ${rel(g.fromMs)}${g.open ? ' to the end of the capture' : ''}`,
              ),
          ].join('\n'),
        },
      ];
      return verdictOf(
        slow.length === 0,
        `${polls.host} polled upsd every ${intervalMs} ms or sooner (widest gap ${widestMs} ms over ${judged.length} polls)`,
        `${polls.host} left upsd unasked for ${widestMs} ms (${rel(widest.fromMs)}${widest.open ? ', never asking again before the capture ended' : ''}), beyond the ${intervalMs} ms poll interval`,
        { expected, observed, evidence },
      );
    },
  };
}
