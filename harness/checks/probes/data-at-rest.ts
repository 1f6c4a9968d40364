import { createDecipheriv } from 'node:crypto';
import type { HostVm } from '../../world/host-vm.ts';
import { vmDataMount, vmDiskMount } from '../../world/host-vm.ts';
import type { World } from '../../world/world.ts';
import { withForensics } from './disk-forensics.ts';

/** Where the contract puts the store's objects, and their layout (CONTRACT.md, "The store API"). */
export const storeDir = '/data/sovereign_storage';
/** The nonce that opens every object file (CONTRACT.md, the store API). */
export const objectNonceBytes = 12;
const nonceBytes = objectNonceBytes;
const tagBytes = 16;

export interface StoredFile {
  /** Path inside the VM. */
  path: string;
  bytes: number;
  /** Last modification, epoch milliseconds. */
  modifiedMs: number;
}

/** Lists the store's files as they lie on the VM's data disk (read-only forensic mount). */
export async function listStoreFiles(world: World, host: HostVm): Promise<StoredFile[]> {
  return withForensics(world, host, async (container) => {
    const result = await container.exec([
      'find',
      `/mnt${storeDir}`,
      '-type',
      'f',
      '-printf',
      '%T@ %s %p\\n',
    ]);
    return result.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [time = '0', size = '0', ...rest] = line.split(' ');
        return {
          path: rest.join(' ').replace(/^\/mnt/, ''),
          bytes: Number(size),
          modifiedMs: Math.round(Number(time) * 1000),
        };
      });
  });
}

/** AES-GCM by key length: the contract's key is 256 bits; a shorter one still opens what it sealed. */
const gcmByKeyBytes: Readonly<Record<number, 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm'>> = {
  16: 'aes-128-gcm',
  24: 'aes-192-gcm',
  32: 'aes-256-gcm',
};

/**
 * Opens a stored object the way the contract says it is sealed: nonce (12 bytes), AES-GCM
 * ciphertext (AES-256 by the contract; the key's own length decides, so that a stack sealing
 * under a shorter key is judged on its key length, not reported as not opening), tag (16 bytes),
 * the object id as additional data. Returns undefined when the key does not open it.
 */
export function openStoredObject(blob: Buffer, key: Buffer, objectId: string): Buffer | undefined {
  return openGcm(blob, key, objectId);
}

/**
 * Opens `nonce(12) || AES-GCM ciphertext || tag(16)` under `key` (AES-128, -192 or -256 by its
 * length) with `aad` as additional data: the layout of every sealed file the contract names.
 * Returns undefined when the key does not open it.
 */
export function openGcm(blob: Buffer, key: Buffer, aad: string): Buffer | undefined {
  const cipher = gcmByKeyBytes[key.length];
  if (blob.length < nonceBytes + tagBytes || cipher === undefined) return undefined;
  try {
    const decipher = createDecipheriv(cipher, key, blob.subarray(0, nonceBytes));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(blob.subarray(blob.length - tagBytes));
    return Buffer.concat([
      decipher.update(blob.subarray(nonceBytes, blob.length - tagBytes)),
      decipher.final(),
    ]);
  } catch {
    return undefined;
  }
}

/** The path of an object's file inside the VM. */
export function objectPath(objectId: string): string {
  return `${storeDir}/${objectId}.obj`;
}

/** Both disks of a VM, for scans: the data disk and the system disk. */
export const vmDisks = [vmDataMount, vmDiskMount];
