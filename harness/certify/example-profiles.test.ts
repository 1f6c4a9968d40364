import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bmcOf, labAddresses } from '../devices/device-profile.ts';
import { checkProfileTargets, loadProfileFile } from '../devices/profile-file.ts';
import { profileTargets } from '../devices/run-devices.ts';
import { builtInCatalog } from '../scenario/scenario-catalog.ts';
import { scenarioTopology } from '../scenario/scenario-runner.ts';
import { checkProductMachine, loadProductFile } from './product-file.ts';

const examples = join(import.meta.dirname, '..', '..', 'examples', 'profiles');

describe('the example lab profile and product file', () => {
  it('are valid, name machines and a UPS the built-in scenarios have, and certify a machine on a real TPM', async () => {
    const profile = await loadProfileFile(join(examples, 'lab.yaml'), {
      LAB_UPS_PASSWORD: 'secret',
      LAB_BMC_PASSWORD: 'secret',
    });
    const product = await loadProductFile(join(examples, 'product.yaml'));
    const topologies = builtInCatalog().scenarios.map((s) => scenarioTopology(s, undefined));
    expect(() => {
      checkProfileTargets(profile, profileTargets(topologies));
    }).not.toThrow();
    expect(() => {
      checkProductMachine(product, profile);
    }).not.toThrow();
    // The stand-in lab's addresses, as examples/profiles/stand-in-lab.sh makes them.
    expect(profile.profile.labNetwork).toBe('sovh-stand-in-lab');
    expect(profile.profile.machines[product.product.machine]?.tpm).toEqual({
      tcti: 'swtpm:host=10.99.0.2,port=2321',
    });
    expect(bmcOf(profile.profile, 'rack1')).toMatchObject({ ipmi: '10.99.0.4', user: 'labadmin' });
    expect(labAddresses(profile.profile)).toEqual(['10.99.0.2', '10.99.0.3', '10.99.0.4']);
  });
});
