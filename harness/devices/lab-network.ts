import type Docker from 'dockerode';
import type { RunSession } from '../runtime/run-session.ts';
import type { StartedContainer } from '../runtime/started-container.ts';
import { addressInCidr, mustParseCidr, parseAddress, parseCidr } from '../util/cidr.ts';
import { describeError, SovhError } from '../util/sovh-error.ts';
import { labAddresses } from './device-profile.ts';
import type { LoadedProfile } from './profile-file.ts';

/** The lab network a profile names, as the engine has it. */
export interface LabNetwork {
  name: string;
  subnets: string[];
  /** The lab addresses the profile names: the only ones a run may reach through it. */
  addresses: string[];
}

function unreachable(file: string, problem: string): SovhError {
  return new SovhError('PROFILE_LAB_NETWORK', `${file}: labNetwork: ${problem}`, {
    details: { file },
  });
}

/**
 * Checks the profile's lab network before anything starts: it exists, it is internal (network
 * safety: nothing of a run may have a route off the machine), and every device address the
 * profile names lies in one of its subnets (else that device could never be reached through it).
 */
export async function inspectLabNetwork(
  docker: Docker,
  loaded: LoadedProfile,
): Promise<LabNetwork | undefined> {
  const { file, profile } = loaded;
  const name = profile.labNetwork;
  if (name === undefined) return undefined;
  let info: { Internal?: boolean; IPAM?: { Config?: { Subnet?: string }[] | null } };
  try {
    info = await docker.getNetwork(name).inspect();
  } catch (error) {
    throw unreachable(
      file,
      `no Docker network "${name}" (${describeError(error)}): create it (\`docker network create --internal ${name}\`) and attach the lab's devices, or name an existing one`,
    );
  }
  if (info.Internal !== true)
    throw unreachable(
      file,
      `network "${name}" is not internal: a run may not reach anything with a route off this machine; use a network made with \`docker network create --internal\``,
    );
  const subnets = (info.IPAM?.Config ?? [])
    .map((c) => c.Subnet)
    .filter((s): s is string => s !== undefined && typeof parseCidr(s) !== 'string');
  const addresses = labAddresses(profile);
  for (const address of addresses) {
    const value = parseAddress(address);
    if (value === undefined || !subnets.some((s) => addressInCidr(value, mustParseCidr(s))))
      throw unreachable(
        file,
        `device address ${address} is not on network "${name}" (subnets: ${subnets.join(', ') || 'none'}): name the device by its address on that network`,
      );
  }
  return { name, subnets, addresses };
}

/**
 * In a machine's network namespace, lets traffic out of its lab interface go only to the
 * profile's device addresses. The rules sit in the mangle table, which the stacks' fences leave
 * alone (they replace the filter and raw tables), and are set from a helper of the harness's
 * observer image, since the pod itself has no iptables.
 */
export async function fenceLabInterface(
  session: RunSession,
  helperImage: string,
  pod: StartedContainer,
  lab: LabNetwork,
): Promise<void> {
  const info = (await session.docker.getContainer(pod.id).inspect()) as {
    NetworkSettings: { Networks: Record<string, { IPAddress?: string }> };
  };
  const podAddress = info.NetworkSettings.Networks[lab.name]?.IPAddress;
  if (podAddress === undefined || podAddress === '')
    throw new Error(`machine ${pod.nodeName} has no address on lab network ${lab.name}`);
  const allow = lab.addresses
    .map((a) => `iptables -t mangle -A OUTPUT -o "$dev" -d ${a}/32 -j ACCEPT`)
    .join(' && ');
  const script = [
    `dev=$(ip -o -4 addr show | awk -v a=${podAddress} '{ split($4, p, "/"); if (p[1] == a) print $2 }')`,
    `[ -n "$dev" ] || { echo "no interface with ${podAddress}" >&2; exit 1; }`,
    `${allow} && iptables -t mangle -A OUTPUT -o "$dev" -j DROP`,
  ].join('\n');
  const helper = await session
    .container(helperImage, `${pod.nodeName}-lab-fence`)
    .withNode(pod.nodeName, 'lab-fence')
    .withNetworkNamespaceOf(pod)
    .withCapabilities('NET_ADMIN', 'NET_RAW')
    .withEntrypoint(['sh', '-c', script])
    .start();
  try {
    const exit = (await session.docker.getContainer(helper.id).wait()) as { StatusCode: number };
    if (exit.StatusCode !== 0)
      throw new Error(
        `the lab fence of machine ${pod.nodeName} failed: ${await helper.logs(20).catch(() => '')}`,
      );
  } finally {
    await helper.remove();
  }
}
