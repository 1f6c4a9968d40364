import { hostPaths } from '../../contract/host-paths.ts';
import { logMarkers } from '../../contract/log-markers.ts';
import type { HostVm } from '../../world/host-vm.ts';
import type { World } from '../../world/world.ts';
import { StartedHsm } from '../../../sims/hsm/hsm.ts';
import { StartedKms } from '../../../sims/kms/kms.ts';
import { isSovhError, SovhError } from '../../util/sovh-error.ts';
import { waitUntil } from '../../util/wait-until.ts';
import { readVmFile } from './disk-forensics.ts';
import { probeStore } from './serving-probe.ts';
import type { TcpProbe } from './tcp-probe.ts';

/** The HSM's secure log of the contract, on the VM's system disk (/var/log/hsm links there). */
export const hsmSecureLogOnDisk = hostPaths.hsmSecureLog;
export const residencyLogOnDisk = hostPaths.residencyLog;
export const deviceNotFound = logMarkers.cryptoDeviceNotFound;

export function kmsOf(world: World, name: string): StartedKms {
  const sim = world.sim(name);
  if (!(sim instanceof StartedKms))
    throw new SovhError('NOT_A_KMS', `simulator ${name} is a ${sim.kind}, not a kms`);
  return sim;
}

export function hsmOf(world: World, name: string): StartedHsm {
  const sim = world.sim(name);
  if (!(sim instanceof StartedHsm))
    throw new SovhError('NOT_AN_HSM', `simulator ${name} is a ${sim.kind}, not an hsm`);
  return sim;
}

/** The lines of a log on a VM's disk that contain a marker (read through a forensic mount). */
export async function vmLogLines(
  world: World,
  host: HostVm,
  path: string,
  marker: string,
): Promise<string[]> {
  const text = (await readVmFile(world, host, path))?.toString() ?? '';
  return text.split('\n').filter((line) => line.includes(marker));
}

/**
 * Whether a host's store accepts a connection from its zone, or undefined when the probe itself
 * did not finish (an engine too busy to run the command in time says nothing about the host).
 */
export async function probeStoreIfAnswered(
  world: World,
  host: HostVm,
): Promise<TcpProbe | undefined> {
  try {
    return await probeStore(world, host);
  } catch (error) {
    if (isSovhError(error, 'EXEC_TIMEOUT')) return undefined;
    throw error;
  }
}

/** Waits until a host's store serves, riding out probes that a busy engine did not finish. */
export async function awaitStoreServing(
  world: World,
  host: HostVm,
  timeoutMs: number,
): Promise<TcpProbe> {
  return waitUntil(
    async () => {
      const probe = await probeStoreIfAnswered(world, host);
      return probe?.connected === true ? probe : undefined;
    },
    {
      what: `the store of host ${host.name}`,
      expected: 'accepting connections',
      timeoutMs,
      // Each try is an exec in a container: a second apart keeps a boot wait cheap.
      intervalMs: 1_000,
    },
  );
}
