/**
 * TPMS_ATTEST of a quote (TPM 2.0 Library, Part 2, 10.12.12), as tpm2_quote writes it with
 * `-m`: big-endian, sized buffers with a 16-bit length. Only what a quote holds is read.
 */
export interface QuoteAttest {
  qualifiedSigner: Buffer;
  /** The qualifying data the caller gave the TPM (here: the SHA-256 of the bundle manifest). */
  extraData: Buffer;
  clock: bigint;
  resetCount: number;
  restartCount: number;
  safe: boolean;
  /** The TPM's firmware version, as the TPM itself signs it. */
  firmwareVersion: bigint;
  /** The PCRs quoted, per bank (TPM_ALG_ID), in ascending index order. */
  selection: { hashAlg: number; pcrs: number[] }[];
  /** The hash (with the AK's scheme hash) of the selected PCRs' values concatenated. */
  pcrDigest: Buffer;
}

export const tpmGeneratedValue = 0xff544347;
export const tpmStAttestQuote = 0x8018;
export const tpmAlgSha256 = 0x000b;

class Reader {
  private offset = 0;
  constructor(private readonly bytes: Buffer) {}
  private need(n: number, what: string): void {
    if (this.offset + n > this.bytes.length)
      throw new Error(`ends inside ${what} (at byte ${String(this.offset)})`);
  }
  u8(what: string): number {
    this.need(1, what);
    return this.bytes.readUInt8(this.offset++);
  }
  u16(what: string): number {
    this.need(2, what);
    const value = this.bytes.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }
  u32(what: string): number {
    this.need(4, what);
    const value = this.bytes.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  u64(what: string): bigint {
    this.need(8, what);
    const value = this.bytes.readBigUInt64BE(this.offset);
    this.offset += 8;
    return value;
  }
  raw(n: number, what: string): Buffer {
    this.need(n, what);
    const value = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return Buffer.from(value);
  }
  sized(what: string): Buffer {
    return this.raw(this.u16(`${what}'s size`), what);
  }
  get rest(): number {
    return this.bytes.length - this.offset;
  }
}

/** Parses a quote's TPMS_ATTEST; throws naming the field where it is not one. */
export function parseQuoteAttest(bytes: Buffer): QuoteAttest {
  const r = new Reader(bytes);
  const magic = r.u32('magic');
  if (magic !== tpmGeneratedValue)
    throw new Error(`magic is 0x${magic.toString(16)}, not TPM_GENERATED_VALUE 0xff544347`);
  const type = r.u16('type');
  if (type !== tpmStAttestQuote)
    throw new Error(`type is 0x${type.toString(16)}, not TPM_ST_ATTEST_QUOTE 0x8018`);
  const qualifiedSigner = r.sized('qualifiedSigner');
  const extraData = r.sized('extraData');
  const clock = r.u64('clockInfo.clock');
  const resetCount = r.u32('clockInfo.resetCount');
  const restartCount = r.u32('clockInfo.restartCount');
  const safe = r.u8('clockInfo.safe') !== 0;
  const firmwareVersion = r.u64('firmwareVersion');
  const banks = r.u32('pcrSelect.count');
  if (banks > 16) throw new Error(`pcrSelect.count ${String(banks)} is not a PCR selection`);
  const selection: QuoteAttest['selection'] = [];
  for (let b = 0; b < banks; b += 1) {
    const hashAlg = r.u16('pcrSelect.hash');
    const bitmap = r.raw(r.u8('pcrSelect.sizeofSelect'), 'pcrSelect.pcrSelect');
    const pcrs: number[] = [];
    bitmap.forEach((byte, i) => {
      for (let bit = 0; bit < 8; bit += 1) if ((byte & (1 << bit)) !== 0) pcrs.push(i * 8 + bit);
    });
    selection.push({ hashAlg, pcrs });
  }
  const pcrDigest = r.sized('pcrDigest');
  if (r.rest !== 0) throw new Error(`${String(r.rest)} byte(s) after the quote`);
  return {
    qualifiedSigner,
    extraData,
    clock,
    resetCount,
    restartCount,
    safe,
    firmwareVersion,
    selection,
    pcrDigest,
  };
}

/** "major.minor.x.y" of a 64-bit firmware version (four 16-bit parts, as TPM vendors print it). */
export function formatFirmwareVersion(version: bigint): string {
  return [48n, 32n, 16n, 0n].map((shift) => ((version >> shift) & 0xffffn).toString()).join('.');
}
