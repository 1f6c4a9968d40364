import { sign, verify, type KeyObject } from 'node:crypto';

/**
 * DSSE (Dead Simple Signing Envelope, github.com/secure-systems-lab/dsse, protocol v1): a payload
 * and its type signed together through the pre-authentication encoding, so that a signature over
 * one type can never be read as a signature over another. Written by hand because the format is a
 * few lines and every supply-chain verifier (in-toto, cosign, sigstore) already reads it.
 */
export interface DsseEnvelope {
  payloadType: string;
  /** The payload's bytes, standard base64. */
  payload: string;
  signatures: { keyid: string; sig: string }[];
}

/** PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in ASCII decimal. */
export function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'utf8'),
    type,
    Buffer.from(` ${payload.length} `, 'utf8'),
    payload,
  ]);
}

/** Signs the payload's PAE with an Ed25519 key; `keyid` names the key (its fingerprint). */
export function signEnvelope(
  payloadType: string,
  payload: Buffer,
  key: { privateKey: KeyObject; keyid: string },
): DsseEnvelope {
  const sig = sign(null, preAuthEncoding(payloadType, payload), key.privateKey);
  return {
    payloadType,
    payload: payload.toString('base64'),
    signatures: [{ keyid: key.keyid, sig: sig.toString('base64') }],
  };
}

/** The parsed envelope, or a sentence saying why the bytes are not one. */
export function parseEnvelope(bytes: Buffer): DsseEnvelope | string {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return `not JSON (${(error as Error).message})`;
  }
  const e = value as Partial<DsseEnvelope>;
  if (
    typeof e.payloadType !== 'string' ||
    typeof e.payload !== 'string' ||
    !Array.isArray(e.signatures) ||
    !e.signatures.every((s) => typeof s.sig === 'string' && typeof s.keyid === 'string')
  )
    return 'not a DSSE envelope (payloadType, payload, signatures[].keyid/sig)';
  return e as DsseEnvelope;
}

/** Whether any signature of the envelope is the key's over the PAE of its payload and type. */
export function envelopeSignedBy(envelope: DsseEnvelope, publicKey: KeyObject): boolean {
  const pae = preAuthEncoding(envelope.payloadType, Buffer.from(envelope.payload, 'base64'));
  return envelope.signatures.some((s) => {
    try {
      return verify(null, pae, publicKey, Buffer.from(s.sig, 'base64'));
    } catch {
      return false;
    }
  });
}
