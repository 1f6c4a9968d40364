import { describe, expect, it } from 'vitest';
import { parseProfile } from '../devices/profile-file.ts';
import type { RealBmcProfile } from '../devices/device-profile.ts';
import type { BmcIdentity } from './bmc-identity.ts';
import { describeProduct, type DeviceReader } from './product-description.ts';

const identity: BmcIdentity = {
  manufacturerId: 4753,
  manufacturerName: 'MontaVista Software, Inc.',
  productId: 0x0f02,
  firmwareRevision: '9.08',
  ipmiVersion: '2.0',
  deviceId: 0,
};

describe('the product description', () => {
  it('names each real BMC once, read with its own login, beside the TPM; simulated BMCs are left out', async () => {
    const env = { LAB_BMC_PASSWORD: 'bmc-secret' };
    const profile = parseProfile(
      '/lab.yaml',
      {
        labNetwork: 'lab',
        machines: {
          rack1: {
            tpm: { tcti: 'swtpm:host=10.99.0.2,port=2321' },
            bmc: { ipmi: '10.99.0.4', user: 'labadmin', passwordEnv: 'LAB_BMC_PASSWORD' },
          },
          rack2: {
            bmc: { ipmi: '10.99.0.4:623', user: 'labadmin', passwordEnv: 'LAB_BMC_PASSWORD' },
          },
          home: {},
        },
      },
      env,
    );
    const asked: { bmc: RealBmcProfile; password: string | undefined }[] = [];
    const reader: DeviceReader = {
      tcti: 'swtpm:host=10.99.0.2,port=2321',
      tpmProperties: () =>
        Promise.resolve({
          manufacturer: 'IBM',
          vendorString: 'SW TPM',
          firmwareVersion: '8215.8467.1635.13878',
          firmwareRaw: '0x20191023 0x163636',
          family: '2.0',
        }),
      upsIdentity: () => Promise.reject(new Error('no UPS in this profile')),
      bmcIdentity: (bmc, environment) => {
        asked.push({ bmc, password: environment[bmc.passwordEnv] });
        return Promise.resolve(identity);
      },
    };
    const description = await describeProduct(
      { vendor: 'Example Systems', model: 'ES-2000', machine: 'rack1' },
      profile,
      reader,
      env,
      () => Promise.resolve('processor : 0\nmodel name : Test CPU\nflags : sse2 aes avx\n'),
    );
    expect(description.bmc).toEqual([
      {
        machines: ['rack1', 'rack2'],
        ipmi: '10.99.0.4:623',
        ...identity,
        readWith: 'ipmitool -I lanplus -C 3 mc info (IPMI Get Device ID)',
      },
    ]);
    expect(asked).toEqual([
      { bmc: expect.objectContaining({ user: 'labadmin' }) as unknown, password: 'bmc-secret' },
    ]);
    expect(description.ups).toEqual([]);
    expect(description.cpu).toEqual({
      model: 'Test CPU',
      logicalCpus: 1,
      aesNi: true,
      readWith: '/proc/cpuinfo',
    });
    // The password is used to log in, never written down.
    expect(JSON.stringify(description)).not.toContain('bmc-secret');
  });
});
