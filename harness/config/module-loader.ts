import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { describeError, SovhError } from '../util/sovh-error.ts';

/**
 * Loads a user's TypeScript (or JavaScript) module through tsx, as the CLI itself is loaded: no
 * build step in the user's repository. `import ... from 'sovh'` in it resolves through the
 * package's `exports`, from the file's own node_modules (or, inside this repository, to itself).
 */
export async function importUserModule(file: string): Promise<Record<string, unknown>> {
  return (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
}

/**
 * A module's default export. A file tsx compiled as CommonJS (no `"type": "module"` above it)
 * arrives as its whole exports object: its `default`, if it has one, is the default export.
 */
export function defaultExport(module: Record<string, unknown>): unknown {
  const value = module.default;
  const named = Object.keys(module).filter((k) => k !== 'default');
  const isExportsObject =
    typeof value === 'object' &&
    value !== null &&
    (('default' in value && Object.keys(value).length === 1) ||
      (named.length > 0 &&
        named.every((k) => (value as Record<string, unknown>)[k] === module[k])));
  return isExportsObject ? (value as Record<string, unknown>).default : value;
}

/** The first line of a load error: Node appends a require stack with tsx's internal URLs. */
export function loadFailure(error: unknown): string {
  return (describeError(error).split('\n')[0] ?? '').replace(/\?namespace=[\w-]+/g, '');
}

/**
 * Loads a user's module, or throws a named error (`code`) that says which file (`what`) did not
 * load, why in one line, and how to see the whole story.
 */
export async function loadUserModule(
  file: string,
  code: string,
  what: string,
): Promise<Record<string, unknown>> {
  try {
    return await importUserModule(file);
  } catch (error) {
    throw new SovhError(
      code,
      `${what} did not load: ${loadFailure(error)}; check it with \`npx tsc --noEmit\` or \`npx tsx ${file}\``,
      { cause: error },
    );
  }
}
