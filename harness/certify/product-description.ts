import { readFile } from 'node:fs/promises';
import {
  defaultCipherSuite,
  parseIpmiAddress,
  type DeviceProfile,
} from '../devices/device-profile.ts';
import type { BmcIdentity } from './bmc-identity.ts';
import type { CertificationDevices } from './certification-devices.ts';
import { parseCpuinfo, type CpuIdentity } from './cpu-identity.ts';
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
  /** Each real BMC of the profile once (by its IPMI address), with the machine names that use it. */
  bmc: (BmcIdentity & { machines: string[]; ipmi: string; readWith: string })[];
  /** The CPU the run's hosts ran on (they share the machine's kernel), AES-NI among its flags. */
  cpu: CpuIdentity & { readWith: string };
}

/** What describeProduct reads the devices through (the certification container, in a run). */
export type DeviceReader = Pick<
  CertificationDevices,
  'tcti' | 'tpmProperties' | 'upsIdentity' | 'bmcIdentity'
>;

export async function describeProduct(
  product: Product,
  profile: DeviceProfile,
  devices: DeviceReader,
  env: NodeJS.ProcessEnv = process.env,
  readCpuinfo: () => Promise<string> = () => readFile('/proc/cpuinfo', 'utf8'),
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
  const bmcs = new Map<
    string,
    { machines: string[]; entry: Parameters<typeof devices.bmcIdentity>[0] }
  >();
  for (const [machine, { bmc: entry }] of Object.entries(profile.machines)) {
    if (entry === 'sim') continue;
    const address = parseIpmiAddress(entry.ipmi);
    if (address === undefined) continue;
    const key = `${address.host}:${String(address.port)}`;
    const known = bmcs.get(key);
    if (known === undefined) bmcs.set(key, { machines: [machine], entry });
    else known.machines.push(machine);
  }
  const bmc: ProductDescription['bmc'] = [];
  for (const [ipmi, { machines, entry }] of bmcs) {
    bmc.push({
      machines,
      ipmi,
      ...(await devices.bmcIdentity(entry, env)),
      readWith: `ipmitool -I lanplus -C ${String(entry.cipherSuite ?? defaultCipherSuite)} mc info (IPMI Get Device ID)`,
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
    bmc,
    cpu: { ...parseCpuinfo(await readCpuinfo()), readWith: '/proc/cpuinfo' },
  };
}
