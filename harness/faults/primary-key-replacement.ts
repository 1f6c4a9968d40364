import { DeviceNotApplicable } from '../devices/device-not-applicable.ts';
import { SovhError } from '../util/sovh-error.ts';
import type { World } from '../world/world.ts';
import type { Fault } from './fault.ts';

/**
 * Attributes of the replacement primary key: the default storage template with `noda` added, so
 * that the key (and its qualified name) differs while it stays a usable storage parent.
 */
const replacementAttributes =
  'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda|restricted|decrypt';

/**
 * Replaces the storage primary key at `handle` in a machine's TPM with another one: someone with
 * the owner hierarchy evicts the persistent key and makes a different one at the same handle (the
 * same TPM, the same PCRs; only the key differs). The hosts on the machine are shut down first and
 * left down: the schedule boots them itself, so that it can watch the TPM bus from their boot on.
 * The heal makes the original key again (a primary key follows from the TPM's seed and its
 * template: ECC P-256, SHA-256, the default attributes, as the contract's stack makes it).
 */
export function replacePrimaryKey(machineName: string, handle: string): Fault {
  return {
    name: `primary-key-replaced-${machineName}`,
    description: `the TPM primary key at ${handle} of machine ${machineName} is evicted and another one made at the same handle`,
    async invoke(world: World) {
      const machine = world.machine(machineName);
      // A lab's real TPM is someone's device: its owner hierarchy is not the harness's to rewrite.
      if (machine.tpm.kind !== 'sim')
        throw new DeviceNotApplicable(
          `needs a simulated TPM: machine ${machineName}'s TPM is real (${machine.tpm.tcti}) and the harness does not replace its primary key`,
        );
      const hosts = world.allHosts().filter((h) => h.isRunning && h.machine === machine);
      await Promise.all(hosts.map((h) => h.shutdown()));
      const make = async (attributes: string[]) => {
        const steps = [
          ['tpm2_evictcontrol', '-C', 'o', '-c', handle],
          [
            'tpm2_createprimary',
            '-C',
            'o',
            '-g',
            'sha256',
            '-G',
            'ecc256',
            ...attributes,
            '-c',
            '/tmp/replacement-primary.ctx',
          ],
          ['tpm2_evictcontrol', '-C', 'o', '-c', '/tmp/replacement-primary.ctx', handle],
        ];
        for (const step of steps) {
          const result = await machine.tpm.tool(step);
          if (result.exitCode !== 0)
            throw new SovhError(
              'FAULT_FAILED',
              `${step.join(' ')} in the TPM of ${machineName} exited ${result.exitCode}: ${result.stderr.trim()}`,
            );
        }
      };
      await make(['-a', replacementAttributes]);
      return () => make([]);
    },
  };
}
