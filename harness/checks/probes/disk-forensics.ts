import { startForensics } from '../../../sims/observer/observer.ts';
import type { StartedContainer } from '../../runtime/started-container.ts';
import type { HostVm } from '../../world/host-vm.ts';
import { vmDataMount, vmDiskMount } from '../../world/host-vm.ts';
import type { World } from '../../world/world.ts';

/**
 * The reader of each VM's disks, started at the first read and kept for the rest of the run (the
 * session removes it at teardown): a container per read would cost more than the read itself.
 */
const readers = new WeakMap<HostVm, Promise<StartedContainer>>();

/**
 * Reads a VM's disks from outside the VM: a container of the run mounts the disk volumes
 * read-only, as an investigator would mount a seized disk. The mounts are live, so each read sees
 * the disks as they are at that moment.
 */
export async function withForensics<T>(
  world: World,
  host: HostVm,
  action: (reader: StartedContainer) => Promise<T>,
): Promise<T> {
  let reader = readers.get(host);
  if (reader === undefined) {
    reader = startForensics(world.session, world.images.observer, `forensics-${host.name}`, [
      { volume: host.diskVolume, target: `/mnt${vmDiskMount}` },
      { volume: host.dataVolume, target: `/mnt${vmDataMount}` },
    ]);
    readers.set(host, reader);
    // A failed start is not kept: the next read tries again.
    reader.catch(() => readers.delete(host));
  }
  return action(await reader);
}

/** Reads a file of a VM's disks by its path inside the VM; undefined when absent. */
export async function readVmFile(
  world: World,
  host: HostVm,
  path: string,
): Promise<Buffer | undefined> {
  return withForensics(world, host, async (container) => {
    const result = await container.exec(['cat', `/mnt${path}`]);
    return result.exitCode === 0 ? result.stdoutBytes : undefined;
  });
}

/** The forms a secret may be written in: raw, hex (both cases) and base64. */
export function secretEncodings(secret: Buffer): Buffer[] {
  const hex = secret.toString('hex');
  return [
    secret,
    Buffer.from(hex),
    Buffer.from(hex.toUpperCase()),
    Buffer.from(secret.toString('base64')),
  ];
}

/** Every file of a VM's disks (paths inside the VM) that holds the secret in any common encoding. */
export async function scanVmDisks(world: World, host: HostVm, secret: Buffer): Promise<string[]> {
  const needles = secretEncodings(secret)
    .map((b) => b.toString('hex'))
    .join(',');
  return withForensics(world, host, async (container) => {
    const result = await container.run([
      'scan-bytes',
      needles,
      `/mnt${vmDiskMount}`,
      `/mnt${vmDataMount}`,
    ]);
    return result.stdout
      .split('\n')
      .filter(Boolean)
      .map((p) => p.replace(/^\/mnt/, ''));
  });
}
