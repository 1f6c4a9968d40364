import type { z } from 'zod';
import { cidrsOverlap, isPrivateCidr, parseCidr } from '../util/cidr.ts';
import { ipv6RangeProblems } from './ipv6-ranges.ts';
import { resolveMachineDevices } from './machine-devices.ts';
import { TopologyError, type TopologyProblem } from './topology-error.ts';
import {
  defaultBootChain,
  topologySchema,
  type Host,
  type Machine,
  type Topology,
  type TopologyInput,
} from './topology-schema.ts';

/** A host with its machine resolved: every host runs on exactly one machine. */
export interface PlacedHost extends Host {
  machine: string;
  zone: string;
}

/** A validated topology, with implicit machines made explicit. */
export interface ResolvedTopology extends Omit<Topology, 'hosts'> {
  hosts: PlacedHost[];
}

export interface ValidationContext {
  /** Simulator kinds the registry knows, for "unknown kind" errors that list them. */
  knownServiceKinds: readonly string[];
  /** Names the error message as coming from, e.g. "scenario boot-binding's topology". */
  source?: string;
}

function zodProblems(error: z.ZodError): TopologyProblem[] {
  return error.issues.map((issue) => ({
    path:
      issue.path
        .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
        .join('') || '(root)',
    problem: issue.message,
    fix:
      issue.code === 'unrecognized_keys'
        ? 'remove the key or check its spelling'
        : 'correct the value',
  }));
}

function list(names: Iterable<string>): string {
  const all = [...names];
  return all.length === 0 ? '(none declared)' : all.join(', ');
}

type ProblemSink = (path: string, text: string, fix: string) => void;

/** The zones a service has an interface on: its own and its legs. */
export function serviceZones(service: { zone: string; legs: readonly string[] }): string[] {
  return [service.zone, ...service.legs];
}

/** Legs name other known zones, once each; a link runs through a router with legs on both its zones. */
function validateLegsAndLinks(topology: Topology, problem: ProblemSink): void {
  const zoneNames = new Set(topology.zones.map((z) => z.name));
  topology.services.forEach((service, si) => {
    const seen = new Set([service.zone]);
    service.legs.forEach((leg, li) => {
      const path = `services[${si}].legs[${li}]`;
      if (!zoneNames.has(leg))
        problem(path, `unknown zone "${leg}"`, `use one of: ${list(zoneNames)}`);
      else if (seen.has(leg))
        problem(
          path,
          `"${service.name}" is already on zone "${leg}"`,
          "list each zone once, and not the service's own zone",
        );
      seen.add(leg);
    });
  });
  const services = new Map(topology.services.map((s) => [s.name, s]));
  const seenLinks = new Set<string>();
  topology.links.forEach((link, i) => {
    const path = `links[${i}]`;
    const router = services.get(link.router);
    const [a, b] = link.zones;
    if (router === undefined) {
      problem(
        `${path}.router`,
        `unknown router "${link.router}"`,
        `name a service with legs, one of: ${list(topology.services.filter((s) => s.legs.length > 0).map((s) => s.name))}`,
      );
    } else {
      for (const zone of link.zones) {
        if (!serviceZones(router).includes(zone)) {
          problem(
            `${path}.zones`,
            `router "${link.router}" has no leg on zone "${zone}"`,
            `add "${zone}" to services[${topology.services.indexOf(router)}].legs, or link zones it is on: ${serviceZones(router).join(', ')}`,
          );
        }
      }
    }
    if (a === b) problem(`${path}.zones`, `both ends are zone "${a}"`, 'name two different zones');
    const key = `${link.router}:${[a, b].sort().join('|')}`;
    if (seenLinks.has(key))
      problem(
        path,
        `a second link between "${a}" and "${b}" through "${link.router}"`,
        'declare each link once',
      );
    seenLinks.add(key);
    if (link.jitterMs > link.delayMs) {
      problem(
        `${path}.jitterMs`,
        `jitter ${link.jitterMs}ms exceeds the delay ${link.delayMs}ms`,
        'keep jitterMs at most delayMs (a packet cannot arrive before it was sent)',
      );
    }
  });
}

/** Validates a topology and resolves its implicit machines; throws a TopologyError listing every problem. */
export function resolveTopology(
  input: TopologyInput,
  context: ValidationContext,
): ResolvedTopology {
  const parsed = topologySchema.safeParse(input);
  if (!parsed.success) throw new TopologyError(zodProblems(parsed.error), context.source);
  const topology = parsed.data;
  const problems: TopologyProblem[] = [];
  const problem = (path: string, text: string, fix: string) =>
    problems.push({ path, problem: text, fix });

  const zones = new Map(topology.zones.map((z) => [z.name, z]));
  const cells = new Map(topology.cells.map((c) => [c.name, c]));
  const machines = new Map(topology.machines.map((m) => [m.name, m]));

  // Zones: valid, private, non-overlapping CIDRs.
  const seenCidrs: { zone: string; cidr: string }[] = [];
  topology.zones.forEach((zone, zi) => {
    zone.cidrs.forEach((text, ci) => {
      const path = `zones[${zi}].cidrs[${ci}]`;
      const cidr = parseCidr(text);
      if (typeof cidr === 'string')
        return problem(path, cidr, 'write it as a network address and prefix');
      if (!isPrivateCidr(cidr)) {
        return problem(
          path,
          `${text} is not a private range`,
          'use addresses inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16',
        );
      }
      for (const other of seenCidrs) {
        if (cidrsOverlap(other.cidr, text)) {
          problem(
            path,
            `${text} overlaps ${other.cidr} of zone "${other.zone}"`,
            'give each zone its own address range',
          );
        }
      }
      seenCidrs.push({ zone: zone.name, cidr: text });
    });
  });
  ipv6RangeProblems(topology.zones).forEach((p) => problems.push(p));

  // Every node name is unique across machines, hosts and services (they share DNS and labels).
  const nodeNames = new Map<string, string>();
  const claim = (name: string, path: string) => {
    const previous = nodeNames.get(name);
    if (previous !== undefined)
      problem(
        path,
        `the name "${name}" is already used by ${previous}`,
        'give every zone, cell, machine, host and service its own name',
      );
    else nodeNames.set(name, path);
  };
  topology.zones.forEach((z, i) => {
    claim(z.name, `zones[${i}]`);
  });
  topology.cells.forEach((c, i) => {
    claim(c.name, `cells[${i}]`);
  });
  topology.machines.forEach((m, i) => {
    claim(m.name, `machines[${i}]`);
  });
  topology.hosts.forEach((h, i) => {
    claim(h.name, `hosts[${i}]`);
  });
  topology.services.forEach((s, i) => {
    claim(s.name, `services[${i}]`);
  });

  const checkZone = (zone: string, path: string) => {
    if (!zones.has(zone))
      problem(path, `unknown zone "${zone}"`, `use one of: ${list(zones.keys())}`);
  };
  topology.cells.forEach((c, i) => {
    checkZone(c.zone, `cells[${i}].zone`);
  });
  topology.machines.forEach((m, i) => {
    checkZone(m.zone, `machines[${i}].zone`);
  });
  topology.services.forEach((s, i) => {
    checkZone(s.zone, `services[${i}].zone`);
    if (!context.knownServiceKinds.includes(s.kind)) {
      problem(
        `services[${i}].kind`,
        `unknown simulator kind "${s.kind}"`,
        `use one of: ${list(context.knownServiceKinds)}`,
      );
    }
    if (s.cell !== undefined && !cells.has(s.cell)) {
      problem(
        `services[${i}].cell`,
        `unknown cell "${s.cell}"`,
        `use one of: ${list(cells.keys())}`,
      );
    }
  });

  validateLegsAndLinks(topology, problem);
  const machineBmcs = resolveMachineDevices(topology, context.knownServiceKinds, claim, problem);

  const implicitMachines: Machine[] = [];
  const machineUsers = new Map<string, string>();
  const hosts: PlacedHost[] = [];
  topology.hosts.forEach((host, i) => {
    const path = `hosts[${i}]`;
    let machine: Machine | undefined;
    if (host.machine !== undefined) {
      machine = machines.get(host.machine);
      if (machine === undefined) {
        return problem(
          `${path}.machine`,
          `unknown machine "${host.machine}"`,
          `declare it under machines or use one of: ${list(machines.keys())}`,
        );
      }
      if (host.zone !== undefined && host.zone !== machine.zone) {
        problem(
          `${path}.zone`,
          `zone "${host.zone}" differs from its machine's zone "${machine.zone}"`,
          "drop the host's zone: a host is in its machine's zone",
        );
      }
    } else if (host.zone === undefined) {
      return problem(path, `host "${host.name}" is in no zone`, 'give it a zone or a machine');
    } else {
      checkZone(host.zone, `${path}.zone`);
      machine = {
        name: `${host.name}-machine`,
        zone: host.zone,
        tags: [],
        bootChain: defaultBootChain,
      };
      implicitMachines.push(machine);
    }
    const user = machineUsers.get(machine.name);
    if (user !== undefined) {
      problem(
        `${path}.machine`,
        `machine "${machine.name}" already runs host "${user}"`,
        'give each host its own machine; a machine runs one host at a time',
      );
    }
    machineUsers.set(machine.name, host.name);
    if (host.cell !== undefined) {
      const cell = cells.get(host.cell);
      if (cell === undefined)
        problem(`${path}.cell`, `unknown cell "${host.cell}"`, `use one of: ${list(cells.keys())}`);
      else if (cell.zone !== machine.zone)
        problem(
          `${path}.cell`,
          `cell "${cell.name}" is in zone "${cell.zone}", the host in "${machine.zone}"`,
          "put the host in its cell's zone",
        );
    }
    hosts.push({ ...host, machine: machine.name, zone: machine.zone });
  });

  if (problems.length > 0) throw new TopologyError(problems, context.source);
  return {
    ...topology,
    machines: [...topology.machines, ...implicitMachines],
    hosts,
    services: [...topology.services, ...machineBmcs],
  };
}
