import {
  constants,
  createHash,
  createPublicKey,
  type KeyObject,
  verify,
  X509Certificate,
} from 'node:crypto';
import { formatFirmwareVersion, parseQuoteAttest, tpmAlgSha256 } from './tpm-attest.ts';

/**
 * Where a bundle keeps its TPM quote. These files sit outside the manifest (the quote is made over
 * the manifest's hash, so the manifest cannot list it) and inside the in-toto statement, which
 * lists every file of the bundle.
 */
export const quotePaths = {
  /** What was quoted and how: the bank, the scheme, the TPM's own description. */
  about: 'tpm/quote.json',
  /** TPMS_ATTEST, as the TPM signed it. */
  message: 'tpm/quote.msg',
  /**
   * The AK's signature over quote.msg with SHA-256: RSASSA-PKCS1-v1_5 for an RSA AK, ECDSA (DER,
   * as tpm2-tools writes it in `plain`) for an ECC P-256 AK.
   */
  signature: 'tpm/quote.sig',
  /** The values of the quoted PCRs, read with the quote. */
  pcrs: 'tpm/pcrs.json',
  akPublic: 'tpm/ak.pub.pem',
  ekPublic: 'tpm/ek.pub.pem',
  /** The EK certificate (DER) when the TPM's NV holds one. */
  ekCertificate: 'tpm/ek-cert.der',
} as const;

export const quoteFilePaths: readonly string[] = Object.values(quotePaths);

/** tpm/pcrs.json: the SHA-256 bank's values by PCR index, lowercase hex. */
export interface QuotedPcrs {
  bank: 'sha256';
  values: Record<string, string>;
}

export interface QuoteVerification {
  ok: boolean;
  /** "sha256:<hex>" of the EK public key (SubjectPublicKeyInfo DER): which TPM made the quote. */
  ekFingerprint?: string;
  akFingerprint?: string;
  firmwareVersion?: string;
  pcrs?: number[];
  ekCertificate: boolean;
  /** Each problem names the file it concerns. */
  problems: string[];
}

function spkiFingerprint(pem: string): string {
  const der = createPublicKey(pem).export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(der).digest('hex')}`;
}

function parsePcrs(bytes: Buffer): QuotedPcrs | string {
  try {
    const value = JSON.parse(bytes.toString('utf8')) as { bank?: unknown; values?: unknown };
    if (value.bank !== 'sha256' || typeof value.values !== 'object' || value.values === null)
      return 'is not { bank: "sha256", values: { index: hex } }';
    for (const [index, hex] of Object.entries(value.values as Record<string, unknown>))
      if (!/^\d+$/.test(index) || typeof hex !== 'string' || !/^[0-9a-f]{64}$/.test(hex))
        return `has a value that is not a SHA-256 PCR: ${index}: ${JSON.stringify(hex)}`;
    return value as QuotedPcrs;
  } catch (error) {
    return `is not JSON (${(error as Error).message})`;
  }
}

/** Whether `signature` is the AK's SHA-256 signature of `message`, in the AK's own scheme. */
function akSigned(key: KeyObject, message: Buffer, signature: Buffer): boolean {
  if (key.asymmetricKeyType === 'rsa')
    return verify('sha256', message, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    try {
      return verify('sha256', message, { key, dsaEncoding: 'der' }, signature);
    } catch {
      return false; // not DER at all: no signature of this key either
    }
  }
  throw new Error('not an attestation key');
}

/**
 * Checks a bundle's TPM quote: the AK's signature over the TPMS_ATTEST, the qualifying data
 * against the manifest's SHA-256, and the quoted PCR digest against the PCR values beside it.
 * Done with Node's crypto alone, so no TPM and no tpm2-tools are needed to check a bundle.
 */
export function verifyQuote(
  files: ReadonlyMap<string, Buffer>,
  manifestBytes: Buffer,
): QuoteVerification {
  const result: QuoteVerification = {
    ok: false,
    ekCertificate: files.has(quotePaths.ekCertificate),
    problems: [],
  };
  const get = (path: string) => {
    const content = files.get(path);
    if (content === undefined) result.problems.push(`${path} is missing`);
    return content;
  };
  const message = get(quotePaths.message);
  const signature = get(quotePaths.signature);
  const pcrsFile = get(quotePaths.pcrs);
  const akPem = get(quotePaths.akPublic)?.toString('utf8');
  const ekPem = get(quotePaths.ekPublic)?.toString('utf8');
  if (ekPem !== undefined) {
    try {
      result.ekFingerprint = spkiFingerprint(ekPem);
    } catch {
      result.problems.push(`${quotePaths.ekPublic} is not a public key`);
    }
  }
  const certificate = files.get(quotePaths.ekCertificate);
  if (certificate !== undefined && ekPem !== undefined && result.ekFingerprint !== undefined) {
    // The certificate names the TPM maker's EK: it must be the EK the bundle names.
    let certified: string | undefined;
    try {
      certified = spkiFingerprint(
        new X509Certificate(certificate).publicKey
          .export({ type: 'spki', format: 'pem' })
          .toString(),
      );
    } catch {
      result.problems.push(`${quotePaths.ekCertificate} is not an X.509 certificate (DER)`);
    }
    if (certified !== undefined && certified !== result.ekFingerprint)
      result.problems.push(
        `${quotePaths.ekCertificate} certifies another key (${certified}) than ${quotePaths.ekPublic}`,
      );
  }
  if (akPem !== undefined && message !== undefined && signature !== undefined) {
    try {
      result.akFingerprint = spkiFingerprint(akPem);
      if (!akSigned(createPublicKey(akPem), message, signature))
        result.problems.push(
          `${quotePaths.signature} is not a signature of ${quotePaths.message} by the AK in ${quotePaths.akPublic}: one of the three changed`,
        );
    } catch {
      result.problems.push(`${quotePaths.akPublic} is not an RSA or ECC P-256 public key`);
    }
  }
  if (message === undefined) return result;
  let attest;
  try {
    attest = parseQuoteAttest(message);
  } catch (error) {
    result.problems.push(`${quotePaths.message} is not a TPM quote: ${(error as Error).message}`);
    return result;
  }
  result.firmwareVersion = formatFirmwareVersion(attest.firmwareVersion);
  const manifestHash = createHash('sha256').update(manifestBytes).digest();
  if (!attest.extraData.equals(manifestHash))
    result.problems.push(
      `the qualifying data of ${quotePaths.message} (${attest.extraData.toString('hex')}) is not the SHA-256 of manifest.json (${manifestHash.toString('hex')}): the quote was made for another manifest`,
    );
  const [bank, ...otherBanks] = attest.selection;
  if (bank?.hashAlg !== tpmAlgSha256 || otherBanks.length > 0) {
    result.problems.push(`${quotePaths.message} does not quote the SHA-256 bank alone`);
    return result;
  }
  result.pcrs = bank.pcrs;
  if (pcrsFile === undefined) return result;
  const pcrs = parsePcrs(pcrsFile);
  if (typeof pcrs === 'string') {
    result.problems.push(`${quotePaths.pcrs} ${pcrs}`);
    return result;
  }
  const listed = Object.keys(pcrs.values)
    .map(Number)
    .sort((a, b) => a - b);
  if (listed.join(',') !== bank.pcrs.join(','))
    result.problems.push(
      `${quotePaths.pcrs} lists PCRs ${listed.join(',')}, the quote selects ${bank.pcrs.join(',')}`,
    );
  const digest = createHash('sha256')
    .update(Buffer.concat(bank.pcrs.map((i) => Buffer.from(pcrs.values[String(i)] ?? '', 'hex'))))
    .digest();
  if (!digest.equals(attest.pcrDigest))
    result.problems.push(
      `the PCR values in ${quotePaths.pcrs} do not hash to the digest the TPM quoted in ${quotePaths.message}: a value changed`,
    );
  result.ok = result.problems.length === 0;
  return result;
}
