import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { objectPath, openStoredObject } from './data-at-rest.ts';

function seal(key: Buffer, objectId: string, payload: string): Buffer {
  const nonce = randomBytes(12);
  const mode = key.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm';
  const cipher = createCipheriv(mode, key, nonce);
  cipher.setAAD(Buffer.from(objectId));
  const body = Buffer.concat([cipher.update(payload), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

describe('openStoredObject', () => {
  const key = randomBytes(32);

  it('opens an object sealed as the contract says (nonce, AES-256-GCM, tag; id as AAD)', () => {
    expect(openStoredObject(seal(key, 'obj-1', 'sovereign'), key, 'obj-1')?.toString()).toBe(
      'sovereign',
    );
  });

  it('does not open it with another key, under another id, or when damaged', () => {
    const blob = seal(key, 'obj-1', 'sovereign');
    expect(openStoredObject(blob, randomBytes(32), 'obj-1')).toBeUndefined();
    expect(openStoredObject(blob, key, 'obj-2')).toBeUndefined();
    const damaged = Buffer.from(blob);
    damaged[14] = (damaged[14] ?? 0) ^ 1;
    expect(openStoredObject(damaged, key, 'obj-1')).toBeUndefined();
    expect(openStoredObject(Buffer.alloc(10), key, 'obj-1')).toBeUndefined();
  });

  it("opens with the key's own length, so a short key is judged on its length, not as not opening", () => {
    const short = randomBytes(16);
    expect(openStoredObject(seal(short, 'obj-1', 'sovereign'), short, 'obj-1')?.toString()).toBe(
      'sovereign',
    );
    expect(openStoredObject(seal(key, 'obj-1', 'sovereign'), key.subarray(0, 16), 'obj-1')).toBe(
      undefined,
    );
    expect(openStoredObject(seal(key, 'obj-1', 'sovereign'), randomBytes(20), 'obj-1')).toBe(
      undefined,
    );
  });

  it('knows where an object lies', () => {
    expect(objectPath('obj-1')).toBe('/data/sovereign_storage/obj-1.obj');
  });
});
