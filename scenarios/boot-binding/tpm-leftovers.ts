import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';

/** What the machine's TPM still holds once a boot refused: handles nobody flushed. */
export interface TpmLeftoversObservation {
  machine: string;
  phase: string;
  transientObjects: string[];
  loadedSessions: string[];
}
export const tpmLeftovers = observationKey<TpmLeftoversObservation>('tpm-leftovers');

/** The handles a `tpm2_getcap handles-*` listing names ("- 0x80000000"). */
export function listedHandles(text: string): string[] {
  return text
    .split('\n')
    .map((line) => /^\s*-\s*(0x[0-9a-fA-F]+)\s*$/.exec(line)?.[1])
    .filter((handle): handle is string => handle !== undefined)
    .map((handle) => handle.toLowerCase());
}

/**
 * Lists the transient objects and loaded sessions of the machine's TPM from the harness's own
 * container, without the flush that the harness's other TPM commands do after themselves: right
 * after a refused boot and before anything else uses the TPM, what is listed is what the stack's
 * refused command left behind. swtpm has no resource manager, so it keeps them until flushed.
 */
export async function observeTpmLeftovers(
  context: ScenarioContext,
  machineName: string,
  phase: string,
): Promise<TpmLeftoversObservation> {
  const { container } = context.world.machine(machineName).tpm;
  const list = async (capability: string): Promise<string[]> => {
    const result = await container.exec(['tpm2_getcap', capability], { timeoutMs: 20_000 });
    if (result.exitCode !== 0)
      throw new SovhError(
        'SCENARIO_STEP_FAILED',
        `tpm2_getcap ${capability} failed in ${machineName}'s TPM: ${result.stderr.trim()}`,
      );
    return listedHandles(result.stdout);
  };
  return context.observe(tpmLeftovers, {
    machine: machineName,
    phase,
    transientObjects: await list('handles-transient'),
    loadedSessions: await list('handles-loaded-session'),
  });
}

/**
 * The contract flushes every transient object and session once its command is done, also on a
 * refusal: swtpm holds three objects, and a stack that flushes only after success fills it for
 * every other host of the machine.
 */
export const tpmFlushedAfterRefusalCheck: Check = {
  name: 'tpm-flushed-after-refusal',
  description:
    "After the boot with the changed boot chain refused to unseal, the machine's TPM holds no transient object and no loaded session (listed by the harness before anything else used the TPM)",
  verify(history) {
    const o = lastObservation(history, tpmLeftovers).data;
    const left = [
      ...o.transientObjects.map((h) => `transient object ${h}`),
      ...o.loadedSessions.map((h) => `session ${h}`),
    ];
    return verdictOf(
      left.length === 0,
      `${o.machine}'s TPM holds nothing the refused boot loaded`,
      `the refused boot left ${left.join(', ')} loaded in ${o.machine}'s TPM`,
      {
        expected: 'tpm2_getcap handles-transient and handles-loaded-session list nothing',
        observed: left.join(', ') || 'nothing listed',
        evidence: [
          {
            source: `tpm2_getcap in ${o.machine}'s TPM, by the harness, after the refusal (${o.phase})`,
            excerpt: `transient: ${o.transientObjects.join(' ') || '-'}; sessions: ${o.loadedSessions.join(' ') || '-'}`,
          },
        ],
      },
    );
  },
};
