import { randomBytes } from 'node:crypto';
import { startForensics } from '../../../sims/observer/observer.ts';
import type { HostVm } from '../../world/host-vm.ts';
import { vmDataMount, vmDiskMount } from '../../world/host-vm.ts';
import type { World } from '../../world/world.ts';

/**
 * Reads a VM's disks from outside the VM: a throwaway container mounts the disk volumes read-only,
 * as an investigator would mount a seized disk.
 */
async function withForensics<T>(
  world: World,
  host: HostVm,
  action: (c: Awaited<ReturnType<typeof startForensics>>) => Promise<T>,
): Promise<T> {
  const container = await startForensics(
    world.session,
    world.images.observer,
    `forensics-${host.name}-${randomBytes(2).toString('hex')}`,
    [
      { volume: host.diskVolume, target: `/mnt${vmDiskMount}` },
      { volume: host.dataVolume, target: `/mnt${vmDataMount}` },
    ],
  );
  try {
    return await action(container);
  } finally {
    await container.remove();
  }
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
