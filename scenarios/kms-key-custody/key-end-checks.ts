import type { ObservationKey } from '../../harness/scenario/observation-key.ts';
import { lastObservation, MissingEvidence, type Check } from '../../harness/checks/check.ts';
import { refusalsNotNaming } from '../../harness/checks/probes/store-load.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { kmsRevocationBound } from '../../harness/contract/key-custody-bounds.ts';
import { boundValue } from '../../harness/scenario/scenario-bounds.ts';
import { served, timeline } from './load-timeline.ts';
import {
  kmsCompromise,
  kmsDestruction,
  kmsRevocation,
  type KeyEndObservation,
} from './kms-key-custody-evidence.ts';

/** What the store's refusals must say once the KMS no longer calls the data key ACTIVE (CONTRACT.md). */
const keyNotActive = 'KEY_NOT_ACTIVE';

/** One way a data key ends on the KMS, and the words its checks use for it. */
interface KeyEnd {
  /** The checks' name prefix: `${prefix}-refused-within-bound`, ... */
  prefix: string;
  observation: ObservationKey<KeyEndObservation>;
  /** "revoked", "destroyed". */
  ended: string;
  /** "revocation", "destruction". */
  event: string;
}

/**
 * The two checks of a data key's end on the KMS under a load from the zone: every request begun
 * two KMS watch intervals after the KMS answered is refused (and something was served before), and
 * every such refusal names KEY_NOT_ACTIVE. The contract drops a key the KMS no longer calls ACTIVE,
 * whatever ended it: a revocation leaves the key on the KMS in another state, a destruction may
 * leave nothing to ask about, which a stack can take for a KMS that does not answer.
 */
function keyEndChecks(end: KeyEnd): Check[] {
  return [
    {
      name: `${end.prefix}-refusals-name-key-not-active`,
      description: `Every refusal the store answers to a request begun ${kmsRevocationBound.contract} ms or more after the KMS ${end.ended} the data key names KEY_NOT_ACTIVE (the body's error): its client learns that the key is no longer active, not another cause`,
      verify(history) {
        const boundMs = boundValue(history, kmsRevocationBound);
        const o = lastObservation(history, end.observation).data;
        const after = o.requests.filter((r) => r.startedAtMs >= o.endedAtMs + boundMs);
        const { refusals, other } = refusalsNotNaming(after, keyNotActive);
        if (refusals === 0)
          throw new MissingEvidence(
            end.observation.name,
            'no request after the bound got a refusal with an answer: nothing to read a reason from',
          );
        return verdictOf(
          other.length === 0,
          `all ${refusals} refusals after the bound name ${keyNotActive}`,
          `${other.length} of ${refusals} refusals after the bound say ${[...new Set(other)].join(', ')}`,
          {
            expected: `503 {"error": "${keyNotActive}"} for every request from ${boundMs} ms after the ${end.event}`,
            observed: `${refusals} refusals, ${other.length} naming another reason`,
          },
        );
      },
    },
    {
      name: `${end.prefix}-refused-within-bound`,
      description: `Every store request begun ${kmsRevocationBound.contract} ms (two KMS watch intervals; a stack may tighten it) or more after the KMS ${end.ended} the data key is refused; requests before the ${end.event} were served`,
      verify(history) {
        const boundMs = boundValue(history, kmsRevocationBound);
        const o = lastObservation(history, end.observation).data;
        const before = o.requests.filter((r) => r.atMs < o.beganAtMs);
        const after = o.requests.filter((r) => r.startedAtMs >= o.endedAtMs + boundMs);
        const wrong = after.filter(served);
        const firstRefusal = o.requests.find((r) => r.atMs >= o.beganAtMs && !served(r));
        const problems: string[] = [];
        if (!before.some(served))
          problems.push(`nothing was served before the ${end.event}, so its effect cannot be seen`);
        if (after.length === 0) problems.push('no request began after the bound');
        if (wrong.length > 0)
          problems.push(
            `${wrong.length} of ${after.length} requests served with the ${end.ended} key (${timeline(wrong.slice(0, 3), o.endedAtMs)})`,
          );
        return verdictOf(
          problems.length === 0,
          `the store refused everything from ${boundMs} ms after the ${end.event}`,
          problems.join('; '),
          {
            expected: `no request served from ${boundMs} ms after the KMS answered the ${end.event}`,
            observed: `state after: ${o.stateAfter ?? 'not listed'}; first refusal ${firstRefusal === undefined ? 'never' : `${Math.round(firstRefusal.atMs - o.endedAtMs)} ms after the ${end.event} (HTTP ${firstRefusal.status})`}; ${after.length - wrong.length}/${after.length} refused after the bound`,
            evidence: [
              {
                source: `${o.action} by the harness; load from the zone observer`,
                excerpt: timeline(
                  o.requests.filter(
                    (r) =>
                      r.atMs >= o.beganAtMs - 500 && r.startedAtMs <= o.endedAtMs + boundMs + 500,
                  ),
                  o.endedAtMs,
                ),
              },
            ],
          },
        );
      },
    },
  ];
}

/** The revoked key (vm1), the key revoked for compromise (vm4) and the destroyed key (vm3), judged alike. */
export const keyEndChecksOfEach: Check[] = [
  ...keyEndChecks({
    prefix: 'revocation',
    observation: kmsRevocation,
    ended: 'revoked',
    event: 'revocation',
  }),
  ...keyEndChecks({
    prefix: 'compromise',
    observation: kmsCompromise,
    ended: 'revoked',
    event: 'compromise revocation',
  }),
  ...keyEndChecks({
    prefix: 'destruction',
    observation: kmsDestruction,
    ended: 'destroyed',
    event: 'destruction',
  }),
];
