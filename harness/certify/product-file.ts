import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { fieldPath } from '../config/config-file.ts';
import { tpmOf, type DeviceProfile } from '../devices/device-profile.ts';
import { describeError, SovhError } from '../util/sovh-error.ts';

/**
 * A product file: what a certification run certifies. The vendor states who and what; the harness
 * adds what it reads from the devices themselves (TPM manufacturer and firmware, UPS model), so a
 * product file never carries a firmware version that could be wrong.
 */
const text = (example: string) =>
  z
    .string({ error: `give a text, e.g. ${example}` })
    .trim()
    .min(1, { error: `give a text, e.g. ${example}` })
    .max(200, { error: 'at most 200 characters' });

export const productSchema = z.strictObject({
  vendor: text('"Example Systems GmbH"'),
  model: text('"ES-2000"'),
  /** The machine of the device profile being certified: its TPM signs the bundle. */
  machine: z
    .string({ error: 'give the name of a machine of the device profile, e.g. "home"' })
    .regex(/^[a-z][a-z0-9-]*$/, { error: 'a machine name of the profile, e.g. "home"' }),
  /** The product's own revision or SKU, as the vendor names it. */
  revision: text('"rev B"').optional(),
  /** Who answers for this certification. */
  contact: text('"certification@example.com"').optional(),
});

export type Product = z.output<typeof productSchema>;

export interface LoadedProduct {
  file: string;
  product: Product;
}

const hints: Record<string, string> = {
  vendor: 'vendor: "Example Systems GmbH"',
  model: 'model: "ES-2000"',
  machine: 'machine: home (a machine of the device profile whose TPM is real)',
};

/** The value at an issue's path in the file, to tell a missing field from a bad one. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path)
    value =
      typeof value === 'object' && value !== null
        ? (value as Record<PropertyKey, unknown>)[key]
        : undefined;
  return value;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const field = fieldPath(issue.path);
  const where = field === '' ? '(the whole file)' : field;
  if (issue.code === 'unrecognized_keys')
    return `${where}: unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove them (known fields: ${Object.keys(productSchema.shape).join(', ')})`;
  if (issue.code === 'invalid_type' && issue.path.length === 0)
    return `${where}: not a mapping: write \`${hints.vendor ?? ''}\`, \`${hints.model ?? ''}\` and \`${hints.machine ?? ''}\`, one a line`;
  if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined)
    return `${where}: missing: add \`${hints[field] ?? `${field}: ...`}\``;
  return `${where}: ${issue.message}`;
}

function invalid(file: string, problems: string[]): SovhError {
  return new SovhError(
    'PRODUCT_INVALID',
    `${file} is not a valid product file:\n${problems.map((p) => `  ${p}`).join('\n')}\n(the format is described in docs/real-hardware.md, "sovh certify")`,
    { details: { file, problems } },
  );
}

/** Validates a product file's value; every problem names its field and the fix. */
export function parseProduct(file: string, value: unknown): Product {
  const parsed = productSchema.safeParse(value);
  if (!parsed.success)
    throw invalid(
      file,
      parsed.error.issues.map((i) => describeIssue(i, value)),
    );
  return parsed.data;
}

/** Reads and validates a product file (YAML or JSON). */
export async function loadProductFile(file: string): Promise<LoadedProduct> {
  const path = resolve(file);
  if (!existsSync(path))
    throw new SovhError(
      'PRODUCT_NOT_FOUND',
      `product file ${path} does not exist: give the path of a YAML product file (examples/profiles/product.yaml)`,
    );
  let value: unknown;
  try {
    value = parseYaml(await readFile(path, 'utf8')) as unknown;
  } catch (error) {
    throw new SovhError('PRODUCT_SYNTAX', `${path} is not valid YAML: ${describeError(error)}`, {
      cause: error,
    });
  }
  return { file: path, product: parseProduct(path, value) };
}

/**
 * The certified machine must be in the profile with a real TPM: the bundle is bound to that TPM,
 * and a simulator's quote would bind it to nothing.
 */
export function checkProductMachine(
  loaded: LoadedProduct,
  profile: { file: string; profile: DeviceProfile },
): void {
  const { machine } = loaded.product;
  const named = Object.keys(profile.profile.machines);
  if (!named.includes(machine))
    throw invalid(loaded.file, [
      `machine: "${machine}" is not a machine of the device profile ${profile.file}: use one of ${named.join(', ') || '(none: the profile names no machine)'}`,
    ]);
  if (tpmOf(profile.profile, machine) === 'sim')
    throw invalid(loaded.file, [
      `machine: the TPM of "${machine}" is simulated in ${profile.file}: a certification binds its bundle to the machine's real TPM; give it \`tpm: { tcti: ... }\` or \`tpm: { device: /dev/tpmrm0 }\` there`,
    ]);
}
