import { serviceSchema, type Service, type Topology } from './topology-schema.ts';

type ProblemSink = (path: string, text: string, fix: string) => void;

/** The simulator kinds that stand for a machine's BMC and for the UPS that feeds it. */
export const bmcKindName = 'bmc';
export const upsKindName = 'ups';

/** The service name of a machine's BMC: it is on the machine's zone network at its own address. */
export function machineBmcName(machine: string): string {
  return `${machine}-bmc`;
}

/**
 * Checks the machines' power feeds (`machines[].ups` names a UPS service of the same zone) and
 * turns every `machines[].bmc` into a BMC service of the machine's zone, so that the world starts
 * it like any simulator and the address plan gives it an address. Returns those services.
 */
export function resolveMachineDevices(
  topology: Topology,
  knownServiceKinds: readonly string[],
  claimName: (name: string, path: string) => void,
  problem: ProblemSink,
): Service[] {
  const services = new Map(topology.services.map((s) => [s.name, s]));
  const upsNames = topology.services.filter((s) => s.kind === upsKindName).map((s) => s.name);
  const bmcServices: Service[] = [];
  topology.machines.forEach((machine, i) => {
    if (machine.ups !== undefined) {
      const path = `machines[${i}].ups`;
      const ups = services.get(machine.ups);
      const choices =
        upsNames.length === 0
          ? 'declare a service of kind "ups" in its zone'
          : `use one of: ${upsNames.join(', ')}`;
      if (ups === undefined) problem(path, `unknown UPS "${machine.ups}"`, choices);
      else if (ups.kind !== upsKindName)
        problem(path, `"${machine.ups}" is a "${ups.kind}", not a UPS`, choices);
      else if (ups.zone !== machine.zone) {
        problem(
          path,
          `UPS "${ups.name}" is in zone "${ups.zone}", the machine in "${machine.zone}"`,
          'feed a machine from a UPS of its own zone',
        );
      }
    }
    if (machine.bmc !== undefined) {
      const path = `machines[${i}].bmc`;
      if (!knownServiceKinds.includes(bmcKindName)) {
        problem(
          path,
          'no BMC simulator kind is registered',
          `register the "${bmcKindName}" kind in sims/registry.ts`,
        );
        return;
      }
      if ('machine' in machine.bmc) {
        problem(
          `${path}.machine`,
          'a BMC always belongs to the machine it is declared on',
          'remove the "machine" option',
        );
        return;
      }
      const name = machineBmcName(machine.name);
      if (name.length > 31) {
        problem(
          `machines[${i}].name`,
          `"${machine.name}" is too long to name its BMC "${name}" (31 characters at most)`,
          "shorten the machine's name to 27 characters or fewer",
        );
        return;
      }
      claimName(name, path);
      bmcServices.push(
        serviceSchema.parse({
          name,
          kind: bmcKindName,
          zone: machine.zone,
          options: { ...machine.bmc, machine: machine.name },
        }),
      );
    }
  });
  return bmcServices;
}
