import type { ContainerRecord } from '../runtime/container-record.ts';
import type { RunSession } from '../runtime/run-session.ts';
import type { StartedContainer } from '../runtime/started-container.ts';
import type { StartedNetwork } from '../runtime/internal-network.ts';
import { allowZoneRouting } from '../runtime/bridge-routing.ts';
import { isolateIpv6Bridges } from '../runtime/ipv6-bridge-isolation.ts';
import {
  installIpv6Routes,
  ipv6Nodes,
  readIpv6Addresses,
  type Ipv6Addresses,
} from './ipv6-routes.ts';
import {
  memberAddress,
  observerName,
  planZoneNetworks,
  type ZoneNetworkPlan,
} from '../topology/address-plan.ts';
import { machineBmcName } from '../topology/machine-devices.ts';
import type { ResolvedTopology } from '../topology/topology-validator.ts';
import type { Logger } from '../util/log.ts';
import type { SeededRandom } from '../util/seeded-random.ts';
import { startObserver } from '../../sims/observer/observer.ts';
import { bmcOptionsSchema } from '../../sims/bmc/bmc.ts';
import { simKind } from '../../sims/registry.ts';
import type { StartedSim } from '../../sims/sim-kind.ts';
import { tpmOf } from '../devices/device-profile.ts';
import {
  machineUsesLab,
  realBmc,
  realBmcSiteSection,
  realUps,
  realUpsSiteSection,
  type DeviceRecord,
  type RunDevices,
} from '../devices/run-devices.ts';
import { mergeHostAttachments } from './host-attachments.ts';
import { HostVm } from './host-vm.ts';
import { buildSiteFile } from './site-file-builder.ts';
import { StartedMachine } from './started-machine.ts';
import { installStaticRoutes } from './world-routes.ts';

export interface WorldImages {
  pod: string;
  tpm: string;
  observer: string;
  host: string;
  /** The image of each simulator kind the topology uses. */
  sims: Record<string, string>;
}

export interface WorldDescription {
  networks: { zone: string; name: string; subnet: string; subnet6?: string }[];
  nodes: { name: string; role: string; zone: string; address: string; detail: string }[];
  /** Each TPM and UPS of the world, real (from the device profile) or simulated. */
  devices?: DeviceRecord[];
  /** The device profile the world was brought up with, if any. */
  profile?: string;
  /**
   * Every container as the world was brought up with it, before the schedule (absent in results
   * written before it): what a capsule's compose file of the starting state is made from.
   */
  containers?: ContainerRecord[];
}

function byName<T extends { name: string }>(items: T[]): Map<string, T> {
  return new Map(items.map((item) => [item.name, item]));
}

/**
 * The running world of a scenario: its zone networks, an observer per zone, the simulators, the
 * machines and the hosts booted on them. Brought up from a validated topology in one session.
 */
export class World {
  private constructor(
    readonly topology: ResolvedTopology,
    readonly session: RunSession,
    readonly images: WorldImages,
    private readonly networks: Map<string, { network: StartedNetwork; plan: ZoneNetworkPlan }>,
    private readonly observers: Map<string, StartedContainer>,
    private readonly sims: Map<string, StartedSim>,
    private readonly machines: Map<string, StartedMachine>,
    private readonly hosts: Map<string, HostVm>,
    /** The run's device profile: which devices are real. */
    readonly devices?: RunDevices,
  ) {}

  static async bringUp(options: {
    session: RunSession;
    topology: ResolvedTopology;
    images: WorldImages;
    log: Logger;
    /** Real devices that replace simulators (default: every device simulated). */
    devices?: RunDevices;
    env?: NodeJS.ProcessEnv;
    /** The run's seeded randomness; each simulator draws from a scope of its own within it. */
    random?: SeededRandom;
  }): Promise<World> {
    const { session, topology, images, log, devices, random } = options;
    // A real UPS or BMC replaces its simulator: nothing is started for it, the hosts get the
    // real device's address in their site file.
    const realBmcServices = new Set(
      topology.machines
        .filter((m) => m.bmc !== undefined && realBmc(devices, m.name) !== undefined)
        .map((m) => machineBmcName(m.name)),
    );
    const simulated = topology.services.filter(
      (s) => realUps(devices, s.name) === undefined && !realBmcServices.has(s.name),
    );
    const plans = planZoneNetworks(topology);
    log.info(`creating ${plans.length} internal network(s)`);
    const networks = new Map(
      await Promise.all(
        plans.map(async (plan) => {
          const network = await session.createNetwork(
            plan.zone,
            plan.subnetCandidates,
            plan.ipv6SubnetCandidates,
          );
          log.detail(
            `network ${plan.zone}: ${network.subnet}${network.subnet6 === undefined ? '' : ` and ${network.subnet6}`}`,
          );
          return [plan.zone, { network, plan }] as const;
        }),
      ),
    );
    // Nothing crosses zones before the static routes are in (below): the rules that let routers
    // forward are added while the containers start, and awaited before those routes.
    const zoneRouting = topology.services.some((s) => s.legs.length > 0)
      ? allowZoneRouting(
          session,
          images.observer,
          [...networks.values()].map((n) => n.network),
        ).then(() => {
          log.detail('routers may forward between the zone networks');
        })
      : Promise.resolve();
    // Marked handled here: a failed start below must not leave it an unhandled rejection.
    zoneRouting.catch(() => undefined);
    const started = [...networks.values()].map((n) => n.network);
    if (started.some((n) => n.subnet6 !== undefined)) {
      await isolateIpv6Bridges(session, images.observer, started);
      log.detail('the IPv6 networks reach each other through the routers only');
    }
    const attachment = (zone: string, node: string) => {
      const entry = networks.get(zone);
      if (entry === undefined) throw new Error(`no network for zone ${zone}`);
      return {
        name: entry.network.name,
        address: memberAddress(entry.plan, entry.network.subnet, node),
        ...(entry.network.subnet6 === undefined ? {} : { subnet6: entry.network.subnet6 }),
      };
    };

    // The hosts' disks exist before the simulators start: a simulator may watch them (audit).
    const hostDisks = await Promise.all(
      topology.hosts.map(async (host) => {
        const [diskVolume, dataVolume] = await Promise.all([
          session.createVolume(`${host.name}-disk`),
          session.createVolume(`${host.name}-data`),
        ]);
        return { host, diskVolume, dataVolume };
      }),
    );

    log.info(
      `starting observers, ${simulated.length} simulator(s), ${topology.machines.length} machine(s)`,
    );
    const [observers, sims, machines] = await Promise.all([
      Promise.all(
        topology.zones.map(async (zone) => {
          const name = observerName(zone.name);
          const container = await startObserver(
            session,
            images.observer,
            zone.name,
            attachment(zone.name, name),
            name,
          );
          return [zone.name, container] as const;
        }),
      ),
      Promise.all(
        simulated.map(async (service) => {
          const kind = simKind(service.kind);
          const image = images.sims[service.kind];
          if (image === undefined)
            throw new Error(`no image built for simulator kind ${service.kind}`);
          const started = await kind.start({
            session,
            image,
            service: { ...service, options: kind.options.parse(service.options) },
            network: attachment(service.zone, service.name),
            legs: service.legs.map((zone) => ({ zone, ...attachment(zone, service.name) })),
            links: topology.links.filter((link) => link.router === service.name),
            addressOf: (zone: string, node: string) => attachment(zone, node).address,
            hosts: hostDisks,
            ...(random === undefined ? {} : { random: random.fork(`sim ${service.name}`) }),
          });
          log.detail(`simulator ${service.name} (${service.kind}) at ${started.address}`);
          return started;
        }),
      ),
      Promise.all(
        topology.machines.map((machine) =>
          StartedMachine.start(
            session,
            machine,
            attachment(machine.zone, machine.name),
            { pod: images.pod, tpm: images.tpm, helper: images.observer },
            {
              tpm: devices === undefined ? 'sim' : tpmOf(devices.profile, machine.name),
              lab: machineUsesLab(devices, machine) ? devices?.lab : undefined,
            },
          ),
        ),
      ),
    ]);

    const observerMap = new Map(observers);
    await zoneRouting;
    await installStaticRoutes(topology, (zone, node) => attachment(zone, node).address, {
      observers: observerMap,
      sims,
      machines,
    });
    const ipv6 = await readIpv6Addresses(started, ipv6Nodes(observerMap, sims, machines));
    await installIpv6Routes(topology, ipv6, { observers: observerMap, sims, machines });
    log.detail('static routes installed');

    const machineMap = byName(machines);
    log.info(`booting ${topology.hosts.length} host(s)`);
    const hosts = await Promise.all(
      hostDisks.map(async ({ host, diskVolume, dataVolume }) => {
        const home = machineMap.get(host.machine);
        const homeSpec = topology.machines.find((m) => m.name === host.machine);
        const ups = homeSpec?.ups === undefined ? undefined : realUps(devices, homeSpec.ups);
        const bmc = homeSpec?.bmc === undefined ? undefined : realBmc(devices, homeSpec.name);
        const uses = homeSpec !== undefined && machineUsesLab(devices, homeSpec);
        const env = options.env ?? process.env;
        const sections = [
          ...(ups === undefined ? [] : [realUpsSiteSection(ups, env)]),
          ...(bmc === undefined || homeSpec === undefined
            ? []
            : [
                realBmcSiteSection(
                  homeSpec.name,
                  bmc,
                  thermalWatchOf(topology, homeSpec.name),
                  env,
                ),
              ]),
        ];
        const siteFile = JSON.stringify(
          buildSiteFile(topology, host, sims, {
            tpmTcti: home?.tpm.tcti,
            sections,
            labAddresses: uses ? devices?.lab?.addresses : undefined,
          }),
          null,
          2,
        );
        const contributions = await Promise.all(
          sims.map(async (sim) => ({
            sim: sim.name,
            attachments: (await sim.hostAttachments?.(host)) ?? {},
          })),
        );
        const attachments = mergeHostAttachments(host.name, contributions);
        const vm = new HostVm(
          host,
          session,
          images.host,
          images.observer,
          diskVolume,
          dataVolume,
          siteFile,
          attachments,
        );
        const machine = machineMap.get(host.machine);
        if (machine === undefined)
          throw new Error(`host ${host.name} has no machine ${host.machine}`);
        await vm.boot(machine);
        return vm;
      }),
    );
    const world = new World(
      topology,
      session,
      images,
      networks,
      observerMap,
      byName(sims),
      machineMap,
      byName(hosts),
      devices,
    );
    world.startingContainers = [...session.containers];
    world.ipv6 = ipv6;
    return world;
  }

  /** The containers as bring-up left them (those started later, probes, are not the world's). */
  private startingContainers: ContainerRecord[] = [];

  /** Every node's IPv6 address on each dual-stack zone network (none in an IPv4-only world). */
  private ipv6: Ipv6Addresses = new Map();

  /**
   * A node's IPv6 address on a dual-stack zone's network (a machine's is its hosts'); fails naming
   * the zone when the zone has no IPv6 range or the node is not on it.
   */
  ipv6Address(zone: string, node: string): string {
    const address = this.ipv6.get(zone)?.get(node);
    if (address === undefined)
      throw new RangeError(
        `${node} has no IPv6 address on zone ${zone}: give the zone ipv6Cidrs and the node a place in it`,
      );
    return address;
  }

  host(name: string): HostVm {
    return lookup(this.hosts, name, 'host');
  }

  machine(name: string): StartedMachine {
    return lookup(this.machines, name, 'machine');
  }

  sim(name: string): StartedSim {
    return lookup(this.sims, name, 'simulator');
  }

  /** The observer container of a zone: where checks run their probes from. */
  observer(zone: string): StartedContainer {
    return lookup(this.observers, zone, 'zone observer');
  }

  allHosts(): HostVm[] {
    return [...this.hosts.values()];
  }

  allSims(): StartedSim[] {
    return [...this.sims.values()];
  }

  describe(): WorldDescription {
    const zoneOfMachine = (name: string) => this.machine(name).spec.zone;
    return {
      containers: this.startingContainers,
      networks: [...this.networks.values()].map(({ network, plan }) => ({
        zone: plan.zone,
        name: network.name,
        subnet: network.subnet,
        ...(network.subnet6 === undefined ? {} : { subnet6: network.subnet6 }),
      })),
      nodes: [
        ...[...this.networks.values()].map(({ network, plan }) => ({
          name: observerName(plan.zone),
          role: 'observer',
          zone: plan.zone,
          address: memberAddress(plan, network.subnet, observerName(plan.zone)),
          detail: 'harness probes',
        })),
        ...this.allSims().map((s) => ({
          name: s.name,
          role: `sim:${s.kind}`,
          zone: this.topology.services.find((x) => x.name === s.name)?.zone ?? '',
          address: s.address,
          detail: Object.entries(s.facts)
            .map(([k, v]) => `${k}=${v}`)
            .join(' '),
        })),
        ...[...this.machines.values()].map((m) => ({
          name: m.name,
          role: 'machine',
          zone: m.spec.zone,
          address: m.address,
          detail: `tpm=${m.tpm.describe()} tags=${m.spec.tags.join(',') || '-'}`,
        })),
        ...this.allHosts().map((h) => ({
          name: h.name,
          role: 'host',
          zone: h.isRunning ? zoneOfMachine(h.machine.name) : h.spec.zone,
          address: h.isRunning ? h.address : '',
          detail: h.isRunning ? `on ${h.machine.name}` : 'shut down',
        })),
      ],
      devices: this.deviceRecords(),
      profile: this.devices?.file,
    };
  }

  /** Every TPM, UPS and BMC, real or simulated: what the report says was tested on what. */
  deviceRecords(): DeviceRecord[] {
    const tpms = [...this.machines.values()].map((m) => ({
      node: m.name,
      device: 'tpm' as const,
      real: m.tpm.kind === 'real',
      detail: m.tpm.describe(),
    }));
    const upses = this.topology.services
      .filter((s) => s.kind === 'ups')
      .map((s) => {
        const ups = realUps(this.devices, s.name);
        return {
          node: s.name,
          device: 'ups' as const,
          real: ups !== undefined,
          detail: ups === undefined ? 'NUT simulator' : `real UPS ${ups.name}@${ups.nut}`,
        };
      });
    const bmcs = this.topology.machines
      .filter((m) => m.bmc !== undefined)
      .map((m) => {
        const bmc = realBmc(this.devices, m.name);
        return {
          node: machineBmcName(m.name),
          device: 'bmc' as const,
          real: bmc !== undefined,
          detail:
            bmc === undefined
              ? 'ipmi_sim on the thermal model'
              : `real BMC at IPMI ${bmc.ipmi} (lanplus${bmc.snmp === undefined ? '' : `, SNMP v${bmc.snmp.version}`}): the hosts read its sensors; steps that drive the thermal model are not applicable`,
        };
      });
    return [...tpms, ...upses, ...bmcs];
  }
}

/** The thermal policy the topology gives a machine's BMC (its `watch`), defaults filled in. */
function thermalWatchOf(topology: ResolvedTopology, machine: string): Record<string, unknown> {
  const service = topology.services.find((s) => s.name === machineBmcName(machine));
  if (service === undefined) throw new Error(`machine ${machine} has no BMC service`);
  return bmcOptionsSchema.parse(service.options).watch;
}

function lookup<T>(map: Map<string, T>, name: string, what: string): T {
  const found = map.get(name);
  if (found === undefined) {
    throw new Error(
      `no ${what} named "${name}" in this world; known: ${[...map.keys()].join(', ') || '(none)'}`,
    );
  }
  return found;
}
