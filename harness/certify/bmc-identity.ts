import { SovhError } from '../util/sovh-error.ts';

/**
 * What a BMC says of itself in IPMI's Get Device ID response, as `ipmitool mc info` prints it.
 * The numbers are the response's own fields; the names are ipmitool's reading of them (the IANA
 * enterprise number's holder, and the product where ipmitool knows it).
 */
export interface BmcIdentity {
  manufacturerId: number;
  manufacturerName?: string;
  productId: number;
  productName?: string;
  firmwareRevision: string;
  ipmiVersion: string;
  deviceId: number;
  deviceRevision?: number;
}

/** The fields every BMC's Get Device ID response carries: without one, the output is not `mc info`'s. */
const required = [
  'Device ID',
  'Firmware Revision',
  'IPMI Version',
  'Manufacturer ID',
  'Product ID',
] as const;

/**
 * Parses `ipmitool mc info`: "Name   : value" lines; the indented lines under "Additional Device
 * Support" and "Aux Firmware Rev Info" are lists, not fields, and are left out. A name of
 * "Unknown (0x...)" says ipmitool does not know the product: it is left out, the id stays.
 */
export function parseBmcIdentity(output: string): BmcIdentity {
  const fields = new Map<string, string>();
  for (const line of output.split('\n')) {
    const match = /^([A-Za-z][A-Za-z ]*?)\s*:\s?(.*)$/.exec(line.trimEnd());
    if (match !== null) fields.set(match[1] ?? '', (match[2] ?? '').trim());
  }
  const missing = required.filter((name) => (fields.get(name) ?? '') === '');
  if (missing.length > 0)
    throw new SovhError(
      'CERTIFY_BMC_OUTPUT',
      `ipmitool mc info did not report ${missing.join(', ')} (is this the output of mc info?)`,
    );
  const number = (name: (typeof required)[number] | 'Device Revision') => {
    const text = fields.get(name) ?? '';
    const value = /^(0x[0-9a-f]+|\d+)\b/i.exec(text)?.[1];
    if (value === undefined)
      throw new SovhError(
        'CERTIFY_BMC_OUTPUT',
        `ipmitool mc info: ${name} is "${text}", not a number`,
      );
    return Number(value);
  };
  const name = (field: string) => {
    const text = fields.get(field);
    return text === undefined || text === '' || /^Unknown\b/i.test(text) ? undefined : text;
  };
  const manufacturerName = name('Manufacturer Name');
  const productName = name('Product Name');
  return {
    manufacturerId: number('Manufacturer ID'),
    ...(manufacturerName === undefined ? {} : { manufacturerName }),
    productId: number('Product ID'),
    ...(productName === undefined ? {} : { productName }),
    firmwareRevision: fields.get('Firmware Revision') ?? '',
    ipmiVersion: fields.get('IPMI Version') ?? '',
    deviceId: number('Device ID'),
    ...(fields.has('Device Revision') ? { deviceRevision: number('Device Revision') } : {}),
  };
}

/** One line for logs and the verdict: "MontaVista Software, Inc. (4753) product 0x0f02, firmware 9.08, IPMI 2.0". */
export function describeBmcIdentity(identity: BmcIdentity): string {
  const maker = `${identity.manufacturerName ?? 'manufacturer'} (${String(identity.manufacturerId)})`;
  const product = `${identity.productName ?? 'product'} 0x${identity.productId.toString(16).padStart(4, '0')}`;
  return `${maker} ${product}, firmware ${identity.firmwareRevision}, IPMI ${identity.ipmiVersion}`;
}
