import {
  isBundlePath,
  manifestPath,
  outsideManifestPaths,
  publicKeyPath,
  sha256Hex,
  signaturePath,
  type BundleManifest,
} from './bundle-manifest.ts';
import type { ReadBundle } from './bundle-reader.ts';
import { keyFingerprint, signatureValid } from './bundle-signing.ts';
import { checkStatement, type StatementCheck } from './statement-verifier.ts';
import { quotePaths, verifyQuote, type QuoteVerification } from './tpm-quote.ts';

export interface ChangedFile {
  path: string;
  expectedSha256: string;
  actualSha256: string;
  expectedBytes: number;
  actualBytes: number;
}

export interface BundleVerification {
  ok: boolean;
  runId?: string;
  keyFingerprint?: string;
  signature: 'valid' | 'invalid' | 'missing';
  /** The in-toto statement (DSSE) under the same key: every file of the bundle by digest. */
  statement: StatementCheck['status'];
  /** The TPM quote over the manifest's hash, when the bundle has one (`sovh certify`). */
  quote?: QuoteVerification;
  /** How many files the manifest lists. */
  listed: number;
  changed: ChangedFile[];
  missing: string[];
  added: string[];
  /** Everything else that is wrong, each naming the file it concerns. */
  problems: string[];
}

function parseManifest(bytes: Buffer): BundleManifest | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return `${manifestPath} is not JSON (${(error as Error).message})`;
  }
  const m = parsed as Partial<BundleManifest>;
  if (
    m.format !== 'sovh-evidence/1' ||
    !Array.isArray(m.files) ||
    typeof m.signature !== 'object'
  ) {
    return `${manifestPath} is not a sovh evidence manifest (format sovh-evidence/1)`;
  }
  return m as BundleManifest;
}

/**
 * Checks a bundle: the manifest's signature under the bundle's public key (and, when given, that
 * the key is the expected one), then every listed file's SHA-256. Names every file that changed,
 * is missing, or was added; any of these makes the bundle fail.
 */
export function verifyBundle(
  bundle: ReadBundle,
  options: { expectKey?: string } = {},
): BundleVerification {
  const { files } = bundle;
  const result: BundleVerification = {
    ok: false,
    signature: 'missing',
    statement: 'missing',
    listed: 0,
    changed: [],
    missing: [],
    added: [],
    problems: [...bundle.oddities],
  };
  const manifestBytes = files.get(manifestPath);
  if (manifestBytes === undefined) {
    result.problems.push(
      `${manifestPath} is missing: this is not an evidence bundle, or its manifest was removed`,
    );
    return result;
  }
  const manifest = parseManifest(manifestBytes);
  if (typeof manifest === 'string') {
    result.problems.push(manifest);
    return result;
  }
  result.runId = manifest.runId;
  result.listed = manifest.files.length;

  const publicKeyPem = files.get(publicKeyPath)?.toString('utf8');
  const signature = files.get(signaturePath)?.toString('utf8');
  if (publicKeyPem === undefined)
    result.problems.push(`${publicKeyPath} is missing: the signature cannot be checked`);
  if (signature === undefined)
    result.problems.push(`${signaturePath} is missing: the manifest is not signed`);
  if (publicKeyPem !== undefined && signature !== undefined) {
    let fingerprint: string | undefined;
    try {
      fingerprint = keyFingerprint(publicKeyPem);
    } catch {
      result.problems.push(`${publicKeyPath} is not a public key`);
    }
    result.keyFingerprint = fingerprint;
    const valid =
      fingerprint !== undefined && signatureValid(manifestBytes, signature, publicKeyPem);
    result.signature = valid ? 'valid' : 'invalid';
    if (!valid && fingerprint !== undefined)
      result.problems.push(
        `the signature in ${signaturePath} does not match ${manifestPath} under ${publicKeyPath}: one of the three changed`,
      );
    if (fingerprint !== undefined && fingerprint !== manifest.signature.publicKeyFingerprint)
      result.problems.push(
        `${publicKeyPath} is not the key ${manifestPath} names (${manifest.signature.publicKeyFingerprint}); it was replaced`,
      );
    if (options.expectKey !== undefined && fingerprint !== options.expectKey)
      result.problems.push(
        `the bundle is signed by ${fingerprint ?? 'an unreadable key'}, not by the expected key ${options.expectKey}`,
      );
  }

  const listed = new Set<string>();
  for (const entry of manifest.files) {
    if (!isBundlePath(entry.path) || outsideManifestPaths.includes(entry.path)) {
      result.problems.push(`${manifestPath} lists a path no bundle file may have: "${entry.path}"`);
      continue;
    }
    listed.add(entry.path);
    const content = files.get(entry.path);
    if (content === undefined) {
      result.missing.push(entry.path);
      continue;
    }
    const actual = sha256Hex(content);
    if (actual !== entry.sha256 || content.length !== entry.sizeBytes) {
      result.changed.push({
        path: entry.path,
        expectedSha256: entry.sha256,
        actualSha256: actual,
        expectedBytes: entry.sizeBytes,
        actualBytes: content.length,
      });
    }
  }
  // Files outside the manifest are named by the statement: the quote, the manifest's envelope.
  const statement = checkStatement(files, publicKeyPem, listed);
  result.statement = statement.status;
  result.problems.push(...statement.problems);
  if (files.has(quotePaths.message) || files.has(quotePaths.about)) {
    result.quote = verifyQuote(files, manifestBytes);
    result.problems.push(...result.quote.problems.map((p) => `TPM quote: ${p}`));
  }
  result.added = [...files.keys()]
    .filter((p) => !listed.has(p) && !outsideManifestPaths.includes(p))
    .sort();
  result.ok =
    result.signature === 'valid' &&
    result.statement === 'valid' &&
    result.changed.length === 0 &&
    result.missing.length === 0 &&
    result.added.length === 0 &&
    result.problems.length === 0;
  return result;
}

/** The verifier's account for people: what was checked, then every file that is wrong. */
export function formatVerification(path: string, v: BundleVerification): string {
  const lines = [
    `bundle ${path}${v.runId === undefined ? '' : ` (run ${v.runId})`}`,
    `signature: ${v.signature}${v.keyFingerprint === undefined ? '' : ` (key ${v.keyFingerprint})`}`,
    `statement: ${v.statement} (in-toto Statement v1 in a DSSE envelope, statement.intoto.dsse.json)`,
    v.quote === undefined
      ? 'TPM quote: none (a bundle of `sovh run`, not bound to a TPM)'
      : `TPM quote: ${v.quote.ok ? 'valid' : 'INVALID'}, made by the TPM whose EK public key has ${v.quote.ekFingerprint ?? 'an unreadable key'}${v.quote.firmwareVersion === undefined ? '' : `, firmware ${v.quote.firmwareVersion}`}; SHA-256 PCRs ${v.quote.pcrs?.join(',') ?? '?'}; qualifying data = SHA-256 of manifest.json; EK certificate ${v.quote.ekCertificate ? 'included (its key is the EK)' : 'none (the TPM held none in NV)'}`,
    `files: ${v.listed} listed, ${v.listed - v.changed.length - v.missing.length} intact, ${v.changed.length} changed, ${v.missing.length} missing, ${v.added.length} added`,
  ];
  for (const c of v.changed)
    lines.push(
      `CHANGED  ${c.path}: sha256 ${c.actualSha256} (${c.actualBytes} bytes), the manifest says ${c.expectedSha256} (${c.expectedBytes} bytes)`,
    );
  for (const m of v.missing) lines.push(`MISSING  ${m}`);
  for (const a of v.added) lines.push(`ADDED    ${a} (not in the manifest)`);
  for (const p of v.problems) lines.push(`PROBLEM  ${p}`);
  lines.push(v.ok ? 'OK: every file is as signed' : 'FAILED: the bundle is not as it was signed');
  return lines.join('\n');
}
