import type { World } from '../world/world.ts';
import type { ResolvedTopology } from '../topology/topology-validator.ts';
import type { WorldNodes } from './fault-parameters.ts';

/** The nodes of a running world that fault parameters may name, by kind. */
export function worldNodes(world: World): WorldNodes {
  const sims = (kind: string) =>
    world
      .allSims()
      .filter((s) => s.kind === kind)
      .map((s) => s.name);
  const { machines, hosts, zones } = world.topology;
  return {
    hsm: sims('hsm'),
    kms: sims('kms'),
    resolver: sims('resolver'),
    ups: sims('ups'),
    router: sims('router'),
    machine: machines.map((m) => m.name),
    'bmc-machine': machines.filter((m) => m.bmc !== undefined).map((m) => m.name),
    host: hosts.map((h) => h.name),
    zone: zones.map((z) => z.name),
  };
}

/** The same for a topology not yet up (an incident file's): its nodes by kind, from the plan. */
export function topologyNodes(topology: ResolvedTopology): WorldNodes {
  const services = (kind: string) =>
    topology.services.filter((s) => s.kind === kind).map((s) => s.name);
  return {
    hsm: services('hsm'),
    kms: services('kms'),
    resolver: services('resolver'),
    ups: services('ups'),
    router: services('router'),
    machine: topology.machines.map((m) => m.name),
    'bmc-machine': topology.machines.filter((m) => m.bmc !== undefined).map((m) => m.name),
    host: topology.hosts.map((h) => h.name),
    zone: topology.zones.map((z) => z.name),
  };
}
