import type { World } from '../world/world.ts';
import type { Fault } from './fault.ts';

/**
 * Power-cycles a machine with a different boot chain (a changed bootloader or secure-boot
 * database): its firmware measures something else into PCR 7. The hosts on it are shut down
 * first and booted again after, as a power cycle does; the heal restores the original chain.
 */
export function changeBootChain(machineName: string, changedChain: string): Fault {
  return {
    name: `boot-chain-change-${machineName}`,
    description: `machine ${machineName} power-cycled with boot chain "${changedChain}"`,
    async invoke(world: World) {
      const machine = world.machine(machineName);
      const original = machine.tpm.bootChain ?? machine.spec.bootChain;
      const powerCycle = async (chain: string) => {
        const hosts = world.allHosts().filter((h) => h.isRunning && h.machine === machine);
        await Promise.all(hosts.map((h) => h.shutdown()));
        await machine.powerCycleTpm(chain);
        for (const host of hosts) await host.boot(machine);
      };
      await powerCycle(changedChain);
      return () => powerCycle(original);
    },
  };
}
