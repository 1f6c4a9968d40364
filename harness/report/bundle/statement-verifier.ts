import { createPublicKey, type KeyObject } from 'node:crypto';
import { sha256Hex, statementPath } from './bundle-manifest.ts';
import { envelopeSignedBy, parseEnvelope } from './dsse.ts';
import {
  evidencePredicateType,
  inTotoPayloadType,
  statementType,
  type InTotoStatement,
} from './in-toto-statement.ts';

export interface StatementCheck {
  /** Whether the envelope is an in-toto statement signed by the run key (files aside). */
  status: 'valid' | 'invalid' | 'missing';
  /** Each names the file it concerns. */
  problems: string[];
}

function parseStatement(payload: Buffer): InTotoStatement | string {
  try {
    const value = JSON.parse(payload.toString('utf8')) as Partial<InTotoStatement>;
    if (value._type !== statementType) return `its _type is not ${statementType}`;
    if (value.predicateType !== evidencePredicateType)
      return `its predicateType is not ${evidencePredicateType}`;
    if (
      !Array.isArray(value.subject) ||
      !value.subject.every((s) => typeof s.name === 'string' && typeof s.digest.sha256 === 'string')
    )
      return 'its subject is not a list of { name, digest: { sha256 } }';
    return value as InTotoStatement;
  } catch (error) {
    return `its payload is not JSON (${(error as Error).message})`;
  }
}

/**
 * Checks the bundle's in-toto statement: its DSSE signature under the run key, then that every
 * file of the bundle is a subject with its digest. Files the manifest lists are checked (and
 * named) by the manifest already; `listed` keeps them from being named twice.
 */
export function checkStatement(
  files: ReadonlyMap<string, Buffer>,
  publicKeyPem: string | undefined,
  listed: ReadonlySet<string>,
): StatementCheck {
  const bytes = files.get(statementPath);
  if (bytes === undefined)
    return {
      status: 'missing',
      problems: [`${statementPath} is missing: the bundle's in-toto statement was removed`],
    };
  const envelope = parseEnvelope(bytes);
  if (typeof envelope === 'string')
    return { status: 'invalid', problems: [`${statementPath} is ${envelope}`] };
  let key: KeyObject | undefined;
  try {
    key = publicKeyPem === undefined ? undefined : createPublicKey(publicKeyPem);
  } catch {
    key = undefined;
  }
  const problems: string[] = [];
  if (envelope.payloadType !== inTotoPayloadType)
    problems.push(`${statementPath}: payloadType is not ${inTotoPayloadType}`);
  if (key === undefined || !envelopeSignedBy(envelope, key))
    problems.push(`${statementPath} is not signed by the key in run-key.pub.pem`);
  const signedAndWellFormed = problems.length === 0;
  const statement = parseStatement(Buffer.from(envelope.payload, 'base64'));
  if (typeof statement === 'string') {
    problems.push(`${statementPath}: ${statement}`);
    return { status: 'invalid', problems };
  }
  const subjects = new Map(statement.subject.map((s) => [s.name, s.digest.sha256]));
  for (const [path, content] of files) {
    if (path === statementPath || listed.has(path)) continue;
    const digest = subjects.get(path);
    if (digest === undefined)
      problems.push(`${path} is not a subject of ${statementPath}: it was added`);
    else if (digest !== sha256Hex(content))
      problems.push(
        `CHANGED ${path}: sha256 ${sha256Hex(content)}, ${statementPath} says ${digest}`,
      );
  }
  for (const name of subjects.keys())
    if (!files.has(name) && !listed.has(name))
      problems.push(`${name} is a subject of ${statementPath} but missing`);
  return { status: signedAndWellFormed ? 'valid' : 'invalid', problems };
}
