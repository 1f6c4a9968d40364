import { contractBound } from './contract-bounds.ts';

/**
 * The key-custody deadlines of the contract (images/host/CONTRACT.md, "The cell's HSM" and "Key
 * management"), each derived from the watch that must meet it: a loss is seen at the latest one
 * interval after it happens, and acted on before the next; so the deadline is two intervals.
 */

/** How often the stack checks that its HSM answers (the contract: every 0.5 s). */
export const hsmWatchIntervalMs = 500;

/** How often the stack asks its KMS whether the data key is still ACTIVE (every 1 s). */
export const kmsWatchIntervalMs = 1_000;

export const hsmRefusalBound = contractBound({
  name: 'hsmRefusalMs',
  description:
    'after the HSM is gone, every store request begun this much later is refused and the data key is out of memory (two HSM watch intervals)',
  unit: 'ms',
  contract: 2 * hsmWatchIntervalMs,
  tighter: 'lower',
});

/** How long a call may go unanswered before the HSM counts as lost (a hung HSM). */
export const hsmAnswerTimeoutMs = 2_000;

export const hsmHangRefusalBound = contractBound({
  name: 'hsmHangRefusalMs',
  description:
    'after the HSM stops answering (its socket still open), every store request begun this much later is refused (a watch interval, the answer timeout, and one more interval to act)',
  unit: 'ms',
  contract: 2 * hsmWatchIntervalMs + hsmAnswerTimeoutMs,
  tighter: 'lower',
});

export const kmsRevocationBound = contractBound({
  name: 'kmsRevocationMs',
  description:
    'after the KMS revokes the data key, every store request begun this much later is refused (two KMS watch intervals)',
  unit: 'ms',
  contract: 2 * kmsWatchIntervalMs,
  tighter: 'lower',
});
