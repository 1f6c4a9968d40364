import { stringify } from 'yaml';
import type { ContainerRecord } from '../runtime/container-record.ts';
import type { WorldDescription } from '../world/world.ts';

/**
 * What a compose file of a world's starting state cannot carry, said in its header: the harness
 * does these at bring-up and during the run, plain `docker compose` does not.
 */
export const composeLimits = [
  'no faults, no schedule and no checks: nothing is injected, healed or judged',
  'no clocks: the BMC and UPS models do not advance (they start in their first state)',
  'no files copied in at start (site files, keys, configs): each service lists them under x-sovh-files',
  'no static routes between zones and no engine-host forwarding rules between the zone networks',
  'no host boot: a host container starts, but the harness does not run its boot steps',
];

/** A compose project name and service name: lower case letters, digits, dashes and underscores. */
function composeName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-');
}

/** The project name a capsule's compose file is brought up under: the run's. */
export function composeProject(runId: string): string {
  return composeName(`sovh-${runId}`);
}

/**
 * A compose file (Compose Specification) of the world's starting state: its zone networks
 * (internal, with the recorded subnets), its containers with their images, addresses,
 * capabilities by name (never privileged), shared network and PID namespaces, volumes, tmpfs,
 * environment and commands. Plain `docker compose up` brings it up without the harness.
 */
export function composeFile(
  world: WorldDescription,
  options: { run: string; runId: string; seed?: number },
): string {
  const containers = world.containers ?? [];
  // The recorded network names are the world's parts (`zone-sovereign`); keys are the same.
  const networks = Object.fromEntries(
    world.networks.map((n) => [
      composeName(networkKey(n.name)),
      {
        internal: true,
        ...(n.subnet6 === undefined
          ? { ipam: { config: [{ subnet: n.subnet }] } }
          : { enable_ipv6: true, ipam: { config: [{ subnet: n.subnet }, { subnet: n.subnet6 }] } }),
        labels: { 'sovh.zone': n.zone },
      },
    ]),
  );
  const volumes = new Set<string>();
  const services = Object.fromEntries(
    containers.map((c) => [composeName(c.name), service(c, volumes)]),
  );
  // No top-level `name`: Compose v1 (Debian's docker-compose) refuses it, and `-p` names the
  // project in both.
  const document = {
    services,
    networks,
    ...(volumes.size === 0
      ? {}
      : { volumes: Object.fromEntries([...volumes].sort().map((v) => [composeName(v), {}])) }),
  };
  const header = [
    `The starting state of the world of ${options.run} (run ${options.runId}${options.seed === undefined ? '' : `, seed ${String(options.seed)}`}),`,
    'written by `sovh capsule` for Compose without the harness:',
    `  docker compose -p ${composeProject(options.runId)} -f compose.yaml up -d   (or docker-compose, v1)`,
    'It has:',
    ...composeLimits.map((line) => `  - ${line}`),
    'To reproduce the incident with its faults and checks, use `sovh replay` on the capsule.',
    'Every network is internal: nothing here reaches outside the machine.',
  ];
  return `${header.map((line) => `# ${line}`).join('\n')}\n${stringify(document, { lineWidth: 0 })}`;
}

/** The world's name of a recorded network: results of older runs hold engine names. */
function networkKey(name: string): string {
  return name.replace(/^sovh-[0-9a-f]{8}-/, '');
}

function service(c: ContainerRecord, volumes: Set<string>): Record<string, unknown> {
  const namedVolumes = c.volumes.filter((v) => v.type === 'volume');
  for (const v of namedVolumes) volumes.add(v.source);
  // A file of a volume bound by its engine-host path (resolv.conf) is gone with the run.
  const binds = c.volumes.filter((v) => v.type === 'bind');
  return {
    image: c.image,
    ...(c.hostname === undefined ? {} : { hostname: c.hostname }),
    ...(c.entrypoint === undefined ? {} : { entrypoint: c.entrypoint }),
    ...(c.command === undefined ? {} : { command: c.command }),
    ...(Object.keys(c.env).length === 0 ? {} : { environment: c.env }),
    ...(c.networkNamespaceOf === undefined
      ? {
          networks: Object.fromEntries(
            c.networks.map((n) => [
              composeName(networkKey(n.network)),
              {
                ...(n.ipv4Address === undefined ? {} : { ipv4_address: n.ipv4Address }),
                ...(n.aliases.length === 0 ? {} : { aliases: n.aliases }),
              },
            ]),
          ),
        }
      : { network_mode: `service:${composeName(c.networkNamespaceOf)}` }),
    ...(c.networks.length === 0 && c.networkNamespaceOf === undefined
      ? { network_mode: 'none' }
      : {}),
    ...(c.pidNamespaceOf === undefined
      ? {}
      : { pid: c.pidNamespaceOf === 'host' ? 'host' : `service:${composeName(c.pidNamespaceOf)}` }),
    ...(c.networkNamespaceOf === undefined
      ? {}
      : { depends_on: [composeName(c.networkNamespaceOf)] }),
    ...(c.capabilities.length === 0 ? {} : { cap_add: [...c.capabilities].sort() }),
    privileged: false,
    init: c.init,
    ...(namedVolumes.length === 0
      ? {}
      : {
          volumes: namedVolumes.map((v) => ({
            type: 'volume',
            source: composeName(v.source),
            target: v.target,
            read_only: v.readOnly,
          })),
        }),
    ...(Object.keys(c.tmpfs).length === 0
      ? {}
      : { tmpfs: Object.entries(c.tmpfs).map(([target, o]) => `${target}:${o}`) }),
    ...(Object.keys(c.sysctls).length === 0 ? {} : { sysctls: c.sysctls }),
    ...(c.memoryBytes === undefined ? {} : { mem_limit: c.memoryBytes }),
    ...(c.devices.length === 0 ? {} : { devices: c.devices.map((d) => `${d}:${d}:rw`) }),
    labels: {
      'sovh.node': c.node ?? c.name,
      ...(c.role === undefined ? {} : { 'sovh.role': c.role }),
    },
    ...(c.files.length === 0 ? {} : { 'x-sovh-files': c.files }),
    ...(binds.length === 0 ? {} : { 'x-sovh-not-bound': binds.map((b) => b.target) }),
  };
}
