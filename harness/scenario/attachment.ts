import { createHash } from 'node:crypto';

/**
 * A file a scenario keeps as evidence (a packet capture, an audit record, a TPM quote): held in the
 * result, written into the evidence bundle under its name, and named by checks' evidence.
 */
export interface Attachment {
  /** The file name in the bundle; unique within a scenario run. */
  name: string;
  mediaType: string;
  description?: string;
  /** Milliseconds since the run started, like history events. */
  atMs: number;
  at: string;
  sizeBytes: number;
  sha256: string;
  /** Text stays readable in results.json; anything else is base64. */
  encoding: 'utf8' | 'base64';
  content: string;
}

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$/;
const mediaTypePattern = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*(\s*;.*)?$/i;

/** Media types whose bytes are text, so they are kept as UTF-8 when they decode cleanly. */
export function isTextual(mediaType: string): boolean {
  const base = mediaType.split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    base.startsWith('text/') ||
    base === 'application/json' ||
    base === 'application/x-ndjson' ||
    base === 'application/xml' ||
    base.endsWith('+json') ||
    base.endsWith('+xml')
  );
}

/** Checks the name and media type and encodes the content; bad input names the fix. */
export function makeAttachment(
  name: string,
  content: string | Buffer,
  mediaType: string,
  when: { atMs: number; at: string },
  description?: string,
): Attachment {
  if (!namePattern.test(name)) {
    throw new TypeError(
      `attachment name "${name}" is not a plain file name; use letters, digits, ".", "_" and "-" (e.g. "tpm-quote-home.bin")`,
    );
  }
  if (!mediaTypePattern.test(mediaType)) {
    throw new TypeError(
      `attachment ${name}: "${mediaType}" is not a media type; use e.g. "text/plain" or "application/vnd.tcpdump.pcap"`,
    );
  }
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const text = bytes.toString('utf8');
  const keepAsText =
    typeof content === 'string' || (isTextual(mediaType) && Buffer.from(text).equals(bytes));
  return {
    name,
    mediaType,
    ...(description === undefined ? {} : { description }),
    atMs: when.atMs,
    at: when.at,
    sizeBytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    encoding: keepAsText ? 'utf8' : 'base64',
    content: keepAsText ? text : bytes.toString('base64'),
  };
}

/** The bytes of an attachment, as they were attached. */
export function attachmentBytes(attachment: Pick<Attachment, 'encoding' | 'content'>): Buffer {
  return Buffer.from(attachment.content, attachment.encoding);
}
