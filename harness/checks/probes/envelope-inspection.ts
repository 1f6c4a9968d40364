import { createDecipheriv } from 'node:crypto';

/**
 * The harness's own reading of a sovereign envelope (CONTRACT.md): magic, header length, a JSON
 * header in clear, then AES-256-GCM ciphertext with a 16-byte tag and the header bytes as AAD.
 * Written independently of the stack, so that a capture can be judged without trusting it.
 */
export const envelopeMagic = Buffer.from('SOVENV1\n', 'latin1');
const tagBytes = 16;
const maxHeaderBytes = 4096;

export interface EnvelopeHeader {
  v: number;
  alg: string;
  zone: string;
  jurisdiction?: string;
  cell?: string | null;
  keyId: string;
  nonce: string;
}

export interface ParsedEnvelope {
  header: EnvelopeHeader;
  headerBytes: Buffer;
  ciphertext: Buffer;
  /** Where the envelope starts in the bytes it was found in. */
  offset: number;
  length: number;
}

/** Finds and parses the first envelope in a byte stream (an HTTP body, a reassembled capture). */
export function findEnvelope(bytes: Buffer): ParsedEnvelope | undefined {
  const offset = bytes.indexOf(envelopeMagic);
  if (offset < 0) return undefined;
  const lengthAt = offset + envelopeMagic.length;
  if (lengthAt + 4 > bytes.length) return undefined;
  const headerLength = bytes.readUInt32BE(lengthAt);
  const headerStart = lengthAt + 4;
  if (headerLength > maxHeaderBytes || headerStart + headerLength > bytes.length) return undefined;
  const headerBytes = bytes.subarray(headerStart, headerStart + headerLength);
  let header: EnvelopeHeader;
  try {
    header = JSON.parse(headerBytes.toString('utf8')) as EnvelopeHeader;
  } catch {
    return undefined;
  }
  const ciphertext = bytes.subarray(headerStart + headerLength);
  return { header, headerBytes, ciphertext, offset, length: bytes.length - offset };
}

/** Opens an envelope with a key; undefined when it does not authenticate (wrong key, changed bytes). */
export function openEnvelope(
  envelope: ParsedEnvelope,
  key: Buffer,
  ciphertextLength = envelope.ciphertext.length,
): Buffer | undefined {
  if (envelope.header.alg !== 'AES-256-GCM' || ciphertextLength < tagBytes) return undefined;
  const body = envelope.ciphertext.subarray(0, ciphertextLength - tagBytes);
  const tag = envelope.ciphertext.subarray(ciphertextLength - tagBytes, ciphertextLength);
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      key,
      Buffer.from(envelope.header.nonce, 'base64'),
    );
    decipher.setAAD(envelope.headerBytes);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    return undefined;
  }
}
