import { createHash } from 'node:crypto';

/** The payload type of an in-toto statement inside DSSE. */
export const inTotoPayloadType = 'application/vnd.in-toto+json';
export const statementType = 'https://in-toto.io/Statement/v1';
/** The project's own predicate: what a sovh evidence bundle states about its files. */
export const evidencePredicateType = 'https://sovh.dev/attestation/evidence-bundle/v1';

export interface StatementSubject {
  name: string;
  digest: { sha256: string };
}

/** An in-toto Statement v1 (github.com/in-toto/attestation, spec/v1/statement.md). */
export interface InTotoStatement {
  _type: typeof statementType;
  subject: StatementSubject[];
  predicateType: string;
  predicate: Record<string, unknown>;
}

/** A statement whose subjects are the files (by path inside the bundle), sorted by name. */
export function evidenceStatement(
  files: ReadonlyMap<string, Buffer>,
  predicate: Record<string, unknown>,
): InTotoStatement {
  return {
    _type: statementType,
    subject: [...files.entries()]
      .map(([name, content]) => ({
        name,
        digest: { sha256: createHash('sha256').update(content).digest('hex') },
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    predicateType: evidencePredicateType,
    predicate,
  };
}
