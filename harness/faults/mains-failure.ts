import { defaultLeadMs, StartedUps } from '../../sims/ups/ups.ts';
import { requireSimulatedUps } from '../devices/run-devices.ts';
import { machineBmc, machinesFedBy } from '../world/machine-devices.ts';
import type { World } from '../world/world.ts';
import type { Fault } from './fault.ts';

/** Hardware of a machine that has a BMC (and so a thermal model). */
function withBmc(world: World, machines: string[]) {
  return machines
    .filter((m) => world.topology.machines.find((x) => x.name === m)?.bmc !== undefined)
    .map((m) => machineBmc(world, m));
}

/** The simulated UPS named `name`; a real UPS or another kind of node is an error naming it. */
export function upsNamed(world: World, name: string): StartedUps {
  requireSimulatedUps(world.devices, name);
  const sim = world.sim(name);
  if (!(sim instanceof StartedUps)) throw new TypeError(`"${name}" is a ${sim.kind}, not a UPS`);
  return sim;
}

/**
 * The mains feeding a UPS fail: the UPS goes on battery and, because a room's cooling is not on
 * the UPS, the cooling of every machine it feeds stops at the same model time. The heal brings the
 * mains and the cooling back; machines that went down stay down until powered on.
 */
export function mainsFailure(upsName: string): Fault {
  return {
    name: `mains-failure-${upsName}`,
    description: `the mains feeding UPS ${upsName} fail; the cooling of the machines it feeds stops with them`,
    async invoke(world: World) {
      const ups = upsNamed(world, upsName);
      const bmcs = withBmc(world, machinesFedBy(world, upsName));
      // One model time for the UPS and the cooling, both sent at once ahead of it.
      const at = () => ({
        atModelS: ups.runClock.modelSecondsAt(Date.now() + defaultLeadMs),
        leadMs: defaultLeadMs,
      });
      const loss = at();
      await Promise.all([
        ups.powerLoss(loss),
        ...bmcs.map((bmc) => bmc.setInputs({ cooling: 'off' }, loss)),
      ]);
      return async () => {
        const restore = at();
        await Promise.all([
          ups.powerRestore(restore),
          ...bmcs.map((bmc) => bmc.setInputs({ cooling: 'on' }, restore)),
        ]);
      };
    },
  };
}

/** The machine loses power (its UPS ran dry or cut the output): every host on it stops at once. */
export async function powerOffMachine(world: World, machine: string): Promise<void> {
  const hosts = world.allHosts().filter((h) => h.isRunning && h.machine.name === machine);
  await Promise.all(hosts.map((h) => h.shutdown()));
}

/**
 * Power returns to a machine: its TPM powers on afresh (PCRs reset, the firmware measures the
 * boot chain) and the hosts that belong on it boot cold.
 */
export async function powerOnMachine(world: World, machine: string): Promise<void> {
  const started = world.machine(machine);
  await started.powerCycleTpm(started.spec.bootChain);
  for (const host of world.allHosts().filter((h) => !h.isRunning && h.spec.machine === machine)) {
    await host.boot(started);
  }
}
