import type { StartedContainer } from '../runtime/started-container.ts';
import { describeError } from '../util/sovh-error.ts';
import type { World } from '../world/world.ts';

/** The versions of the tools of note installed in one image of a world. */
export interface ImageToolVersions {
  /** What the image is in the world: host, tpm, observer, pod or sim:<kind>. */
  role: string;
  image: string;
  /** Debian package name to installed version. */
  tools: Record<string, string>;
  /** Why the versions could not be read, when they could not. */
  detail?: string;
}

/**
 * The Debian packages a verdict may rest on: the simulators, the tools the stack and the probes
 * use, and their crypto libraries. Only these are recorded, to keep results.json small.
 */
export const toolsOfNote: readonly string[] = [
  'swtpm',
  'swtpm-tools',
  'libtpms0',
  'tpm2-tools',
  'tpm2-abrmd',
  'libtss2-esys-3.0.2-0',
  'softhsm2',
  'p11-kit',
  'p11-kit-modules',
  'opensc',
  'python3',
  'python3-cryptography',
  'python3-pykmip',
  'python3-pykcs11',
  'openssl',
  'libssl3',
  'openipmi',
  'ipmitool',
  'nut-server',
  'nut-client',
  'snmp',
  'snmpd',
  'iptables',
  'nftables',
  'iproute2',
  'haproxy',
  'iperf3',
  'mtr-tiny',
  'unbound',
  'frr',
  'bird2',
  'tcpdump',
  'curl',
  'bind9-dnsutils',
  'auditd',
  'e2fsprogs',
  'libnetfilter-queue1',
  'nodejs',
];

/** Parses `dpkg-query -W -f '${Package}\t${Version}\t${db:Status-Abbrev}\n'`, keeping tools of note. */
export function parseInstalledTools(output: string): Record<string, string> {
  const tools: Record<string, string> = {};
  for (const line of output.split('\n')) {
    const [name, version, status] = line.split('\t');
    if (name === undefined || version === undefined || version === '') continue;
    if (status?.trim() !== 'ii') continue;
    if (toolsOfNote.includes(name)) tools[name] = version;
  }
  return tools;
}

async function readTools(container: StartedContainer): Promise<Record<string, string>> {
  const result = await container.exec(
    ['dpkg-query', '-W', '-f', '${Package}\t${Version}\t${db:Status-Abbrev}\n'],
    { timeoutMs: 15_000 },
  );
  if (result.exitCode !== 0) {
    throw new Error(`dpkg-query exited ${result.exitCode}: ${result.stderr.trim()}`);
  }
  return parseInstalledTools(result.stdout);
}

/**
 * What each image tag holds, read once per process: a tag names one recipe, so its packages do
 * not change between the runs of one `sovh run` or test file.
 */
const toolsByImage = new Map<string, Promise<Record<string, string>>>();

function toolsOfImage(image: string, container: () => StartedContainer) {
  let tools = toolsByImage.get(image);
  if (tools === undefined) {
    tools = readTools(container());
    toolsByImage.set(image, tools);
    // A failed read is not kept: the next run of the image tries again.
    tools.catch(() => toolsByImage.delete(image));
  }
  return tools;
}

/** One container per image of the world (looked up when asked), to read its package database. */
function containerPerImage(
  world: World,
): { role: string; image: string; container: () => StartedContainer }[] {
  const candidates: { role: string; image: string; container: () => StartedContainer }[] = [];
  const firstZone = world.topology.zones[0];
  if (firstZone !== undefined)
    candidates.push({
      role: 'observer',
      image: world.images.observer,
      container: () => world.observer(firstZone.name),
    });
  const firstMachine = world.topology.machines[0];
  if (firstMachine !== undefined) {
    candidates.push({
      role: 'tpm',
      image: world.images.tpm,
      container: () => world.machine(firstMachine.name).tpm.container,
    });
    candidates.push({
      role: 'pod',
      image: world.images.pod,
      container: () => world.machine(firstMachine.name).pod,
    });
  }
  const runningHost = world.allHosts().find((h) => h.isRunning);
  if (runningHost !== undefined)
    candidates.push({
      role: 'host',
      image: world.images.host,
      container: () => runningHost.container,
    });
  for (const sim of world.allSims()) {
    const image = world.images.sims[sim.kind];
    if (image !== undefined)
      candidates.push({ role: `sim:${sim.kind}`, image, container: () => sim.container });
  }
  const seen = new Set<string>();
  return candidates.filter((c) => !seen.has(c.image) && seen.add(c.image));
}

/**
 * Reads, in one container of each image, the installed versions of the tools of note. An image
 * whose container cannot answer gives its reason instead of versions; this never fails a run.
 */
export async function collectWorldVersions(world: World): Promise<ImageToolVersions[]> {
  let candidates: ReturnType<typeof containerPerImage>;
  try {
    candidates = containerPerImage(world);
  } catch (error) {
    return [{ role: 'world', image: '', tools: {}, detail: describeError(error) }];
  }
  return Promise.all(
    candidates.map(async ({ role, image, container }) => {
      try {
        return { role, image, tools: await toolsOfImage(image, container) };
      } catch (error) {
        return { role, image, tools: {}, detail: describeError(error) };
      }
    }),
  );
}
