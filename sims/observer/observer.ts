import type { RunSession } from '../../harness/runtime/run-session.ts';
import type { StartedContainer } from '../../harness/runtime/started-container.ts';
import { simImage } from '../images.ts';

export const observerImage = simImage('observer');

/**
 * Starts a zone's observer: the container from which checks probe that zone. It is part of the
 * harness, not of the world under test, and carries no residency controls of its own.
 */
export async function startObserver(
  session: RunSession,
  image: string,
  zone: string,
  network: { name: string; address: string },
  name: string,
): Promise<StartedContainer> {
  return session
    .container(image, name)
    .withNode(name, 'observer')
    .withCommandChannel()
    .withNetwork(network.name, network.address, [name])
    .withCapabilities('NET_ADMIN', 'NET_RAW')
    .withInit()
    .withEnvironment({ SOVH_ZONE: zone })
    .start();
}

/**
 * Starts a short-lived forensic container with volumes mounted read-only, for scans of a VM's
 * disks from outside the VM. It has no network.
 */
export async function startForensics(
  session: RunSession,
  image: string,
  name: string,
  volumes: { volume: string; target: string }[],
): Promise<StartedContainer> {
  let builder = session
    .container(image, name)
    .withNode(name, 'forensics')
    .withInit()
    .withCommandChannel();
  for (const v of volumes) builder = builder.withVolume(v.volume, v.target, { readOnly: true });
  return builder.start();
}
