import type { Check } from '../../harness/checks/check.ts';
import { lastObservation } from '../../harness/checks/check.ts';
import { kmsOf } from '../../harness/checks/probes/custody-evidence.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import {
  judgePeriod,
  longestGap,
  periodLimitMs,
  watchGaps,
} from '../../harness/checks/watch-cadence.ts';
import {
  kmsRevocationBound,
  kmsWatchIntervalMs,
} from '../../harness/contract/key-custody-bounds.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { boundValue } from '../../harness/scenario/scenario-bounds.ts';

/**
 * The KMS watch seen from the KMS (harness/checks/watch-cadence.ts): while the store serves, the
 * stack asks its KMS for the data key's state (KMIP Get Attributes) every interval. A single
 * revocation meets the watch at one phase only (a watch of 3 s against the 2 s bound sees it in
 * time two times in three); its questions at the KMS show its period in one run: no stretch as
 * long as the bound, and a typical period at the contract's interval (a watch of 1.8 s meets the
 * 2 s bound and breaks the 1 s interval).
 */

/** How long the harness counts the host's requests at the KMS, from when the store serves. */
export const watchWindowMs = 10_000;

/** The host's state questions as the KMS's log has them, in a window where the store served. */
export interface KmsWatchObservation {
  kms: string;
  identity: string;
  /** The host's address: the harness's own KMIP client asks as the same identity, from loopback. */
  source: string;
  /** The window (epoch ms): from the first served round trip to the read of the log. */
  windowStartMs: number;
  windowEndMs: number;
  /** When the KMS began each GetAttributes of the host in the window (epoch ms). */
  pollsAtMs: number[];
}

export const kmsWatch = observationKey<KmsWatchObservation>('kms-watch');

/** Waits until the window has lasted `watchWindowMs`, then reads the host's requests at the KMS. */
export async function observeKmsWatch(
  context: ScenarioContext,
  kmsName: string,
  host: { name: string; address: string },
  windowStartMs: number,
): Promise<KmsWatchObservation> {
  const kms = kmsOf(context.world, kmsName);
  const left = windowStartMs + watchWindowMs - Date.now();
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  const windowEndMs = Date.now();
  const requests = await kms.requests();
  return context.observe(kmsWatch, {
    kms: `${kms.name} ${kms.address}:${kms.port}`,
    identity: host.name,
    source: host.address,
    windowStartMs,
    windowEndMs,
    pollsAtMs: requests
      .filter(
        (r) =>
          r.identity === host.name &&
          r.source === host.address &&
          r.operation === 'GetAttributes' &&
          r.atMs >= windowStartMs &&
          r.atMs <= windowEndMs,
      )
      .map((r) => r.atMs),
  });
}

export const kmsWatchCheck: Check = {
  name: 'kms-watched-within-bound',
  description: `While the store serves, the stack asks its KMS for the data key's state (KMIP Get Attributes, counted at the KMS) at least once every ${kmsRevocationBound.contract} ms (the revocation bound; a stack may tighten it), so that any revocation is seen within it, and typically every ${kmsWatchIntervalMs} ms (the contract's KMS watch interval: the median gap at most ${periodLimitMs(kmsWatchIntervalMs)} ms)`,
  verify(history) {
    const boundMs = boundValue(history, kmsRevocationBound);
    const o = lastObservation(history, kmsWatch).data;
    const gaps = watchGaps(o.windowStartMs, o.windowEndMs, o.pollsAtMs);
    const longest = longestGap(gaps, o.windowStartMs);
    const windowMs = o.windowEndMs - o.windowStartMs;
    const { intervalMs, limitMs, period, tooSlow } = judgePeriod(
      o.pollsAtMs,
      kmsWatchIntervalMs,
      boundMs,
    );
    const problems = [
      ...(longest.lengthMs < boundMs
        ? []
        : [
            `${longest.lengthMs} ms without a state question from ${o.identity} (from +${longest.fromMs - o.windowStartMs} ms): a revocation then is seen ${longest.lengthMs - boundMs} ms or more past the ${boundMs} ms bound`,
          ]),
      ...(tooSlow
        ? [
            `${o.identity} asks every ${period?.periodMs} ms (median of ${period?.gaps} gaps), slower than the ${intervalMs} ms KMS watch interval (at most ${limitMs} ms)`,
          ]
        : []),
    ];
    return verdictOf(
      problems.length === 0,
      `${o.pollsAtMs.length} state questions in ${windowMs} ms, at most ${longest.lengthMs} ms apart, typically ${period?.periodMs ?? '?'} ms`,
      problems.join('; '),
      {
        expected: `a GetAttributes from ${o.identity} (${o.source}) at ${o.kms} at least every ${boundMs} ms, with a median gap of at most ${limitMs} ms`,
        observed: `${o.pollsAtMs.length} in ${windowMs} ms; gaps ${gaps.map((g) => g.lengthMs).join(', ')} ms`,
        evidence: [
          {
            source: `the KMIP server's own log on ${o.kms} (kms-requests: each operation with its session's client identity)`,
            excerpt: o.pollsAtMs.map((at) => `+${at - o.windowStartMs} ms`).join(', '),
          },
        ],
      },
    );
  },
};
