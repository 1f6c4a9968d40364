import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';

/**
 * Loads a user's TypeScript (or JavaScript) module through tsx, as the CLI itself is loaded: no
 * build step in the user's repository. `import ... from 'sovh'` in it resolves through the
 * package's `exports`, from the file's own node_modules (or, inside this repository, to itself).
 */
export async function importUserModule(file: string): Promise<Record<string, unknown>> {
  return (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
}

/** A module's default export; tsx may wrap it once more when the file is compiled as CommonJS. */
export function defaultExport(module: Record<string, unknown>): unknown {
  const value = module.default;
  if (
    typeof value === 'object' &&
    value !== null &&
    'default' in value &&
    Object.keys(value).length === 1
  )
    return value.default;
  return value;
}
