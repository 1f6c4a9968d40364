import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProductMachine, loadProductFile, parseProduct } from './product-file.ts';

const file = '/lab/product.yaml';
const problemsOf = (value: unknown): string[] => {
  try {
    parseProduct(file, value);
    return [];
  } catch (error) {
    return ((error as { details?: { problems?: string[] } }).details?.problems ?? []).slice();
  }
};

describe('the product file', () => {
  it('takes vendor, model and machine, and the optional revision and contact', () => {
    expect(
      parseProduct(file, { vendor: ' Example Systems ', model: 'ES-2000', machine: 'home' }),
    ).toEqual({ vendor: 'Example Systems', model: 'ES-2000', machine: 'home' });
    expect(
      parseProduct(file, {
        vendor: 'V',
        model: 'M',
        machine: 'rack1',
        revision: 'rev B',
        contact: 'c@example.com',
      }),
    ).toMatchObject({ revision: 'rev B', contact: 'c@example.com' });
  });

  it('names every missing field with the line to add', () => {
    expect(problemsOf({ model: 'M' })).toEqual([
      'vendor: missing: add `vendor: "Example Systems GmbH"`',
      'machine: missing: add `machine: home (a machine of the device profile whose TPM is real)`',
    ]);
    expect(problemsOf(null)[0]).toMatch(/^\(the whole file\): not a mapping: write `vendor: /);
  });

  it('names a bad value, an empty one and an unknown field', () => {
    expect(problemsOf({ vendor: '', model: 7, machine: 'Home Lab', firmware: '1.0' })).toEqual([
      'vendor: give a text, e.g. "Example Systems GmbH"',
      'model: give a text, e.g. "ES-2000"',
      'machine: a machine name of the profile, e.g. "home"',
      '(the whole file): unknown field(s) "firmware": remove them (known fields: vendor, model, machine, revision, contact)',
    ]);
  });

  it('says in its message which file is wrong and where the format is described', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sovh-product-'));
    const path = join(dir, 'product.yaml');
    await writeFile(path, 'vendor: V\nmodel: [\n');
    await expect(loadProductFile(path)).rejects.toThrow(`${path} is not valid YAML`);
    await writeFile(path, 'vendor: V\nmachine: home\n');
    await expect(loadProductFile(path)).rejects.toThrow(
      `${path} is not a valid product file:\n  model: missing: add \`model: "ES-2000"\`\n(the format is described in docs/real-hardware.md`,
    );
    await expect(loadProductFile(join(dir, 'none.yaml'))).rejects.toThrow(/does not exist/);
  });

  it('refuses a machine the profile does not name, or whose TPM the profile leaves simulated', () => {
    const product = { file, product: { vendor: 'V', model: 'M', machine: 'home' } };
    const profile = (machines: Record<string, unknown>) => ({
      file: '/lab/lab.yaml',
      profile: { machines, ups: {} } as never,
    });
    expect(() => {
      checkProductMachine(product, profile({ rack1: { tpm: 'sim' } }));
    }).toThrow(
      'machine: "home" is not a machine of the device profile /lab/lab.yaml: use one of rack1',
    );
    expect(() => {
      checkProductMachine(product, profile({ home: { tpm: 'sim' } }));
    }).toThrow('machine: the TPM of "home" is simulated in /lab/lab.yaml');
    expect(() => {
      checkProductMachine(
        product,
        profile({ home: { tpm: { tcti: 'swtpm:host=10.0.0.2,port=2321' } } }),
      );
    }).not.toThrow();
  });
});
