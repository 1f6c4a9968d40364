import { MissingEvidence, type Check } from '../../harness/checks/check.ts';
import { hsmOf } from '../../harness/checks/probes/custody-evidence.ts';
import { hsmCalls } from '../../harness/checks/probes/hsm-calls.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import {
  judgePeriod,
  longestGap,
  periodLimitMs,
  watchGaps,
  watchIntervalMs,
} from '../../harness/checks/watch-cadence.ts';
import { hsmRefusalBound, hsmWatchIntervalMs } from '../../harness/contract/key-custody-bounds.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { boundValue } from '../../harness/scenario/scenario-bounds.ts';
import { StartedHsm } from '../../sims/hsm/hsm.ts';

/**
 * The HSM watch seen from the HSM (harness/checks/watch-cadence.ts): while the store serves, each
 * host asks its HSM whether it answers (C_GetSessionInfo over the link it keeps open) every
 * interval. A train of cuts meets a slow watch at a few phases only: a watch polling as seldom as
 * the 1 s bound slips through most trains. The pings in the HSM's own RPC log show each watch's
 * period in one run: no stretch as long as the bound, and a typical period at the contract's
 * interval (a watch of 0.9 s meets the 1 s bound and breaks the 0.5 s interval).
 */

/** The hosts' pings at the HSM in a window where every store served and no fault was on. */
export interface HsmWatchObservation {
  hsm: string;
  /** The hosts whose watches ask this HSM. */
  hosts: string[];
  windowStartMs: number;
  windowEndMs: number;
  /** Each p11-kit server process (one per client link) that was pinged in the window, with when. */
  links: { process: string; pingsAtMs: number[] }[];
}

export const hsmWatch = observationKey<HsmWatchObservation>('hsm-watch');

/** Reads the pings (C_GetSessionInfo) the HSM served since `windowStartMs`, by client link. */
export async function observeHsmWatch(
  context: ScenarioContext,
  hsmName: string,
  hosts: readonly string[],
  windowStartMs: number,
): Promise<HsmWatchObservation> {
  const windowEndMs = Date.now();
  const calls = await hsmCalls(hsmOf(context.world, hsmName));
  const byLink = new Map<string, number[]>();
  for (const call of calls) {
    if (call.call !== 'C_GetSessionInfo' || call.atMs < windowStartMs || call.atMs > windowEndMs)
      continue;
    const process = call.process ?? '?';
    byLink.set(process, [...(byLink.get(process) ?? []), call.atMs]);
  }
  return context.observe(hsmWatch, {
    hsm: hsmName,
    hosts: [...hosts],
    windowStartMs,
    windowEndMs,
    links: [...byLink].map(([process, pingsAtMs]) => ({ process, pingsAtMs })),
  });
}

/**
 * Reads the pings at every HSM of the world since `windowStartMs`, each with the hosts it serves
 * (from the topology the world was brought up with, so a mutant's topology is read as it is).
 */
export async function observeEveryHsmWatch(
  context: ScenarioContext,
  windowStartMs: number,
): Promise<HsmWatchObservation[]> {
  const { world } = context;
  const hsms = world.allSims().filter((sim): sim is StartedHsm => sim instanceof StartedHsm);
  const served = hsms
    .map((hsm) => ({
      hsm,
      hosts: world.topology.hosts.filter((h) => hsm.serves(h)).map((h) => h.name),
    }))
    .filter((s) => s.hosts.length > 0);
  return Promise.all(
    served.map((s) => observeHsmWatch(context, s.hsm.name, s.hosts, windowStartMs)),
  );
}

/** One HSM's links judged against the bound: what is wrong, and the figures for the verdict. */
function judgeWatch(o: HsmWatchObservation, boundMs: number) {
  const windowMs = o.windowEndMs - o.windowStartMs;
  const links = o.links.map((link) => {
    const gaps = watchGaps(o.windowStartMs, o.windowEndMs, link.pingsAtMs);
    const judged = judgePeriod(link.pingsAtMs, hsmWatchIntervalMs, boundMs);
    return { ...link, longest: longestGap(gaps, o.windowStartMs), ...judged };
  });
  const problems: string[] = [];
  if (links.length < o.hosts.length)
    problems.push(
      `${links.length} link(s) pinged ${o.hsm} in ${windowMs} ms, for ${o.hosts.length} hosts (${o.hosts.join(', ')})`,
    );
  for (const link of links.filter((l) => l.longest.lengthMs >= boundMs))
    problems.push(
      `${o.hsm} link ${link.process}: ${link.longest.lengthMs} ms without a ping (from +${link.longest.fromMs - o.windowStartMs} ms), ${link.longest.lengthMs - boundMs} ms or more past the ${boundMs} ms bound for a cut then`,
    );
  for (const link of links)
    if (link.tooSlow)
      problems.push(
        `${o.hsm} link ${link.process}: pinged every ${link.period?.periodMs} ms (median of ${link.period?.gaps} gaps), slower than the ${link.intervalMs} ms HSM watch interval (at most ${link.limitMs} ms)`,
      );
  const worst = Math.max(0, ...links.map((l) => l.longest.lengthMs));
  const slowest = Math.max(0, ...links.map((l) => l.period?.periodMs ?? 0));
  return {
    problems,
    summary: `${links.length} link(s) to ${o.hsm}, each pinged at most ${worst} ms apart over ${windowMs} ms, typically every ${slowest} ms or less`,
    observed: links
      .map(
        (l) =>
          `${o.hsm} link ${l.process}: ${l.pingsAtMs.length} pings, longest gap ${l.longest.lengthMs} ms, median gap ${l.period?.periodMs ?? '?'} ms`,
      )
      .join('; '),
    excerpt: links
      .map(
        (l) =>
          `${o.hsm} ${l.process}: ${l.pingsAtMs.map((at) => `+${at - o.windowStartMs}`).join(' ')} ms`,
      )
      .join('; '),
  };
}

export const hsmWatchCheck: Check = {
  name: 'hsm-watched-within-bound',
  description: `While the stores serve, each host's link to its HSM (every HSM of the world) is pinged (C_GetSessionInfo, seen in the HSM's own RPC log) at least once every ${hsmRefusalBound.contract} ms (the refusal bound; a stack may tighten it), so that any cut is seen within it, and typically every ${hsmWatchIntervalMs} ms (the contract's HSM watch interval: the median gap at most ${periodLimitMs(hsmWatchIntervalMs)} ms)`,
  verify(history) {
    const boundMs = boundValue(history, hsmRefusalBound);
    const watches = history.observations(hsmWatch).map((e) => e.data);
    if (watches.length === 0) throw new MissingEvidence(hsmWatch.name);
    const judged = watches.map((o) => judgeWatch(o, boundMs));
    return verdictOf(
      judged.every((j) => j.problems.length === 0),
      judged.map((j) => j.summary).join('; '),
      judged.flatMap((j) => j.problems).join('; '),
      {
        expected: watches
          .map(
            (o) =>
              `${o.hsm}: one link per host (${o.hosts.length}), each pinged at least every ${boundMs} ms, with a median gap of at most ${periodLimitMs(watchIntervalMs(hsmWatchIntervalMs, boundMs))} ms`,
          )
          .join('; '),
        observed: judged.map((j) => j.observed).join('; '),
        evidence: watches.map((o, i) => ({
          source: `C_GetSessionInfo in ${o.hsm}'s p11-kit RPC log (engine timestamps), by server process`,
          excerpt: judged[i]?.excerpt ?? '',
        })),
      },
    );
  },
};
