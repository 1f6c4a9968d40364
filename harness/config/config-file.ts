import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { describeError, SovhError } from '../util/sovh-error.ts';
import { configSchema, userMutantSchema, type ValidConfig } from './config-schema.ts';
import { defaultExport, loadUserModule } from './module-loader.ts';

/** The names a config file may have, in the order they are looked for in each directory. */
export const configFileNames = [
  'sovh.config.ts',
  'sovh.config.mts',
  'sovh.config.json',
  'sovh.config.yaml',
  'sovh.config.yml',
] as const;

export interface LoadedConfig {
  /** The config file's absolute path. */
  file: string;
  /** Its directory: relative paths in it are taken from here. */
  dir: string;
  config: ValidConfig;
}

/** The config file in `startDir` or the nearest directory above it, if any. */
export function findConfigFile(startDir: string): string | undefined {
  for (let dir = resolve(startDir); ; dir = dirname(dir)) {
    const found = configFileNames.map((name) => join(dir, name)).filter((f) => existsSync(f));
    if (found.length > 1) {
      throw new SovhError(
        'CONFIG_AMBIGUOUS',
        `${dir} holds ${found.length} config files (${found.map((f) => f.slice(dir.length + 1)).join(', ')}); keep one`,
      );
    }
    if (found[0] !== undefined) return found[0];
    if (dirname(dir) === dir) return undefined;
  }
}

/** `mutants[0].expectFailing` from a zod path. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) =>
      typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

function knownFields(path: readonly PropertyKey[]): string[] {
  if (path.length === 0) return Object.keys(configSchema.shape);
  if (path.length === 2 && path[0] === 'mutants') return Object.keys(userMutantSchema.shape);
  return [];
}

/** One problem of a config file: the field, what is wrong, and the fix. */
export function describeConfigIssue(issue: z.core.$ZodIssue): string {
  const field = fieldPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const known = knownFields(issue.path);
    return `${field === '' ? '' : `${field}: `}unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove them${known.length === 0 ? '' : ` (known fields: ${known.join(', ')})`}`;
  }
  const where = field === '' ? '(the whole file)' : field;
  if (issue.code === 'invalid_type') return `${where}: ${issue.message}; give a ${issue.expected}`;
  return `${where}: ${issue.message}`;
}

async function readConfigValue(file: string): Promise<unknown> {
  const extension = extname(file);
  if (extension === '.ts' || extension === '.mts') {
    const module = await loadUserModule(file, 'CONFIG_LOAD_FAILED', file);
    const value = defaultExport(module);
    if (value === undefined) {
      throw new SovhError(
        'CONFIG_NO_DEFAULT_EXPORT',
        `${file} has no default export; write \`export default defineConfig({ ... })\` with \`import { defineConfig } from 'sovh'\``,
      );
    }
    return value;
  }
  const text = await readFile(file, 'utf8');
  try {
    return extension === '.json' ? (JSON.parse(text) as unknown) : (parseYaml(text) as unknown);
  } catch (error) {
    throw new SovhError(
      'CONFIG_SYNTAX',
      `${file} is not valid ${extension === '.json' ? 'JSON' : 'YAML'}: ${describeError(error)}`,
      { cause: error },
    );
  }
}

/** Reads and validates a config file; every problem is named with its field and the fix. */
export async function loadConfigFile(file: string): Promise<LoadedConfig> {
  const path = resolve(file);
  if (!existsSync(path))
    throw new SovhError('CONFIG_NOT_FOUND', `config file ${path} does not exist`);
  const parsed = configSchema.safeParse(await readConfigValue(path));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${describeConfigIssue(issue)}`);
    throw new SovhError(
      'CONFIG_INVALID',
      `${path} is not a valid sovh config:\n${problems.join('\n')}\n(the fields are described in docs/stacks.md; \`defineConfig\` from 'sovh' types them in your editor)`,
      { details: { file: path, issues: parsed.error.issues } },
    );
  }
  return { file: path, dir: dirname(path), config: parsed.data };
}
