import type { DeviceProfile } from '../devices/device-profile.ts';
import type { CertificationDevices } from './certification-devices.ts';
import type { Product } from './product-file.ts';
import type { TpmProperties } from './tpm-properties.ts';
import type { UpsIdentity } from './ups-identity.ts';

/**
 * certification/product.json: what the vendor states (product file) beside what the harness read
 * from the devices themselves. Nothing of the second half comes from the vendor or the stack.
 */
export interface ProductDescription {
  vendor: string;
  model: string;
  revision?: string;
  contact?: string;
  machine: string;
  tpm: TpmProperties & { reachedAt: string; readWith: string };
  ups: (UpsIdentity & { name: string; nut: string; readWith: string })[];
}

export async function describeProduct(
  product: Product,
  profile: DeviceProfile,
  devices: CertificationDevices,
): Promise<ProductDescription> {
  const tpm = await devices.tpmProperties();
  const ups: ProductDescription['ups'] = [];
  for (const [name, entry] of Object.entries(profile.ups)) {
    if (entry === 'sim') continue;
    ups.push({
      name,
      nut: `${entry.name}@${entry.nut}`,
      ...(await devices.upsIdentity(entry)),
      readWith: 'upsc (ups.mfr, ups.model, ups.firmware where the UPS has them)',
    });
  }
  return {
    vendor: product.vendor,
    model: product.model,
    ...(product.revision === undefined ? {} : { revision: product.revision }),
    ...(product.contact === undefined ? {} : { contact: product.contact }),
    machine: product.machine,
    tpm: { ...tpm, reachedAt: devices.tcti, readWith: 'tpm2_getcap properties-fixed' },
    ups,
  };
}
