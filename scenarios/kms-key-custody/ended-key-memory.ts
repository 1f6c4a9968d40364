import { setTimeout as sleep } from 'node:timers/promises';
import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { describeScan, MemoryScanner } from '../../harness/checks/probes/memory-scan.ts';
import { unknown, verdictOf } from '../../harness/checks/verdict.ts';
import { kmsRevocationBound } from '../../harness/contract/key-custody-bounds.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { boundValue } from '../../harness/scenario/scenario-bounds.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import { dataKeyLabel, learnDataKey } from '../hsm-cable-cut/hsm-cable-cut-evidence.ts';
import type { KeyEndWatch } from './kms-lifecycle.ts';
import { names } from './kms-key-custody-evidence.ts';

/** One pass of the memory scanner over every process of the host, for its data key. */
export interface KeyScan {
  startedAtMs: number;
  finishedAtMs: number;
  found: boolean;
  processes: number;
  description: string;
}

/** The host's memory scanned for its data key before the KMS ended it, and once the end was in force. */
export interface EndedKeyInMemoryObservation {
  host: string;
  /** When the KMS answered the end (epoch ms). */
  endedAtMs: number;
  before: KeyScan;
  after: KeyScan;
}
export const endedKeyInMemory = observationKey<EndedKeyInMemoryObservation>('ended-key-in-memory');

/**
 * Learns the host's data key from the KMS and attaches a memory scanner to the host, so that the
 * key's end can be watched: a scan before it (which must find the key: the positive control), and
 * one from the revocation bound on (which must not). The scanner is removed after the second scan,
 * or by `detach` when the end never came.
 */
export async function watchEndedKeyInMemory(
  context: ScenarioContext,
  host: HostVm,
): Promise<KeyEndWatch & { detach(): Promise<void> }> {
  const secret = await learnDataKey(context, names.kms, host);
  const scanner = await MemoryScanner.attach(context.world, host);
  const scanOnce = async (): Promise<KeyScan> => {
    const scan = await scanner.scan([secret]);
    return {
      startedAtMs: scan.startedAtMs,
      finishedAtMs: scan.finishedAtMs,
      found: scan.foundInMemory.includes(dataKeyLabel),
      processes: scan.processes.length,
      description: describeScan(scan),
    };
  };
  let before: KeyScan | undefined;
  let detached: Promise<void> | undefined;
  const detach = () => (detached ??= scanner.detach());
  return {
    async beforeEnd() {
      before = await scanOnce();
    },
    async onceInForce(endedAtMs) {
      // The contract's bound: no stack may loosen it, so the key must be gone by then whatever it declares.
      await sleep(Math.max(0, endedAtMs + kmsRevocationBound.contract - Date.now()));
      const after = await scanOnce();
      if (before !== undefined)
        context.observe(endedKeyInMemory, { host: host.name, endedAtMs, before, after });
      await detach();
    },
    detach,
  };
}

/**
 * The contract drops a key the KMS no longer calls ACTIVE from memory, not only from use: a
 * compromised key that a stack merely stops using is still in clear for the rest of the boot.
 */
export const endedKeyGoneCheck: Check = {
  name: 'compromised-key-gone-from-memory',
  description: `A scan of every process's memory of the host whose data key the KMS revoked for compromise, begun ${kmsRevocationBound.contract} ms (the revocation bound) or more after the KMS answered, finds the key (as the KMS gave it) nowhere; the same scan before the revocation finds it`,
  verify(history) {
    const boundMs = boundValue(history, kmsRevocationBound);
    const o = lastObservation(history, endedKeyInMemory).data;
    const sinceEnd = (at: number) => `${Math.round(at - o.endedAtMs)} ms`;
    const details = {
      expected: `the key found before the revocation, and nowhere in ${o.host}'s memory from ${boundMs} ms after it`,
      observed: `before: ${o.before.found ? 'found' : 'not found'} in ${o.before.processes} processes; from ${sinceEnd(o.after.startedAtMs)} after: ${o.after.found ? 'FOUND' : 'not found'} in ${o.after.processes} processes`,
      evidence: [
        { source: `scan-memory of ${o.host} before the revocation`, excerpt: o.before.description },
        {
          source: `scan-memory of ${o.host} ${sinceEnd(o.after.startedAtMs)} after the KMS answered`,
          excerpt: o.after.description,
        },
      ],
    };
    if (!o.before.found)
      return unknown(
        `the scan before the revocation did not find the data key in ${o.host}'s memory, so a clean scan after it proves nothing`,
        details,
      );
    if (o.after.startedAtMs < o.endedAtMs + boundMs)
      return unknown(
        `the scan after the revocation began ${sinceEnd(o.after.startedAtMs)} after it, inside the ${boundMs} ms bound`,
        details,
      );
    return verdictOf(
      !o.after.found,
      `the compromised key left ${o.host}'s memory within ${boundMs} ms`,
      `the data key the KMS revoked for compromise is still in ${o.host}'s memory ${sinceEnd(o.after.startedAtMs)} after the revocation (${o.after.description})`,
      details,
    );
  },
};
