/** What a TPM says of itself in `tpm2_getcap properties-fixed`: who made it, which firmware. */
export interface TpmProperties {
  family: string;
  manufacturer: string;
  vendorString: string;
  /** TPM2_PT_FIRMWARE_VERSION_1 and _2 as four 16-bit parts, "major.minor.x.y". */
  firmwareVersion: string;
  /** The same, as the two raw 32-bit values. */
  firmwareRaw: string;
  revision?: string;
}

function property(output: string, name: string): { raw: number; value?: string } | undefined {
  const match = new RegExp(
    `^${name}:\\s*\\n\\s+raw:\\s*(0x[0-9A-Fa-f]+|\\d+)\\s*\\n(?:\\s+value:\\s*"?([^"\\n]*)"?\\s*\\n)?`,
    'm',
  ).exec(`${output}\n`);
  if (match === null) return undefined;
  return { raw: Number(match[1]), value: match[2] };
}

/** Four ASCII bytes of a 32-bit property, without trailing NULs or spaces. */
function ascii(raw: number): string {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(raw >>> 0);
  return bytes.toString('latin1').replace(/\0/g, '');
}

/** Parses tpm2_getcap properties-fixed; throws naming what is missing. */
export function parseTpmProperties(output: string): TpmProperties {
  const need = (name: string) => {
    const value = property(output, name);
    if (value === undefined) throw new Error(`tpm2_getcap properties-fixed did not report ${name}`);
    return value;
  };
  const manufacturer = need('TPM2_PT_MANUFACTURER');
  const v1 = need('TPM2_PT_FIRMWARE_VERSION_1').raw >>> 0;
  const v2 = need('TPM2_PT_FIRMWARE_VERSION_2').raw >>> 0;
  const vendor = [1, 2, 3, 4]
    .map((i) => property(output, `TPM2_PT_VENDOR_STRING_${String(i)}`))
    .map((p) => (p === undefined ? '' : ascii(p.raw)))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
  const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
  return {
    family: need('TPM2_PT_FAMILY_INDICATOR').value ?? '',
    manufacturer: ascii(manufacturer.raw).trim(),
    vendorString: vendor,
    firmwareVersion: [v1 >>> 16, v1 & 0xffff, v2 >>> 16, v2 & 0xffff].join('.'),
    firmwareRaw: `${hex(v1)} ${hex(v2)}`,
    revision: property(output, 'TPM2_PT_REVISION')?.value,
  };
}
