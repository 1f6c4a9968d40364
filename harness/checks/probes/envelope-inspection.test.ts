import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { envelopeMagic, findEnvelope, openEnvelope } from './envelope-inspection.ts';

function seal(payload: Buffer, key: Buffer, zone: string): Buffer {
  const nonce = randomBytes(12);
  const header = Buffer.from(
    JSON.stringify({
      alg: 'AES-256-GCM',
      cell: null,
      jurisdiction: 'DE',
      keyId: 'k1',
      nonce: nonce.toString('base64'),
      v: 1,
      zone,
    }),
  );
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(header);
  const body = Buffer.concat([cipher.update(payload), cipher.final(), cipher.getAuthTag()]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(header.length);
  return Buffer.concat([envelopeMagic, length, header, body]);
}

describe('envelope inspection', () => {
  const key = randomBytes(32);
  const payload = Buffer.from('residency record 42');

  it('finds an envelope inside other bytes and opens it with the zone key', () => {
    const stream = Buffer.concat([
      Buffer.from('PUT /inbox/x HTTP/1.1\r\n\r\n'),
      seal(payload, key, 'sovereign'),
    ]);
    const envelope = findEnvelope(stream);
    expect(envelope?.header.zone).toBe('sovereign');
    expect(envelope?.offset).toBe(25);
    expect(envelope && openEnvelope(envelope, key)?.toString()).toBe(payload.toString());
  });

  it('does not open with another key or after the header was changed', () => {
    const sealed = seal(payload, key, 'sovereign');
    const envelope = findEnvelope(sealed);
    expect(envelope && openEnvelope(envelope, randomBytes(32))).toBeUndefined();
    const tampered = Buffer.from(
      sealed.toString('latin1').replace('"zone":"sovereign"', '"zone":"sovereigm"'),
      'latin1',
    );
    const changed = findEnvelope(tampered);
    expect(changed?.header.zone).toBe('sovereigm');
    expect(changed && openEnvelope(changed, key)).toBeUndefined();
  });

  it('finds nothing in bytes without the magic', () => {
    expect(findEnvelope(payload)).toBeUndefined();
  });
});
