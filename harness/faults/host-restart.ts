import type { HostVm } from '../world/host-vm.ts';

/**
 * Restarts the same boot container, so what a fault changed on its disks survives as it would on
 * a VM's. Files the stack made immutable are unlocked first, from outside it
 * (HostVm.unlockLockedFiles); the stack locks them again when it boots. `whileDown` runs between
 * the stop and the start: what the machine holds then is what the next boot finds.
 */
export async function restartHost(host: HostVm, whileDown?: () => Promise<void>): Promise<void> {
  const { container } = host;
  await host.unlockLockedFiles(container);
  await container.stop(10);
  await whileDown?.();
  await container.start();
}
