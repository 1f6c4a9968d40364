import { resolve } from 'node:path';
import { glob } from 'tinyglobby';
import type { Scenario } from '../scenario/scenario.ts';
import { SovhError } from '../util/sovh-error.ts';
import { defaultExport, loadUserModule } from './module-loader.ts';

/** A scenario written in the user's repository, with the file it came from. */
export interface UserScenario {
  scenario: Scenario;
  file: string;
}

/** A `scenarios` entry is a glob of files when it has a `/` or a `*`, or names a `.ts` file. */
export function isScenarioGlob(entry: string): boolean {
  return entry.includes('/') || entry.includes('*') || /\.m?ts$/.test(entry);
}

function looksLikeScenario(value: unknown): value is Scenario {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Scenario>;
  return (
    typeof candidate.name === 'string' &&
    typeof candidate.run === 'function' &&
    Array.isArray(candidate.checks) &&
    Array.isArray(candidate.mutants) &&
    typeof candidate.topology === 'object'
  );
}

async function loadOne(file: string): Promise<UserScenario> {
  const module = await loadUserModule(file, 'USER_SCENARIO_LOAD_FAILED', `scenario file ${file}`);
  const scenario = defaultExport(module);
  if (!looksLikeScenario(scenario)) {
    throw new SovhError(
      'USER_SCENARIO_INVALID',
      `scenario file ${file} does not export a scenario by default; write \`export default defineScenario({ name, description, needs, topology, run, checks, mutants })\` with \`import { defineScenario } from 'sovh'\``,
    );
  }
  return { scenario, file };
}

/**
 * Loads the user's scenario files named by globs (relative to `baseDir`). A glob that matches no
 * file, a file that does not load, and a name taken twice are bad input, each named.
 */
export async function loadUserScenarios(
  globs: readonly string[],
  baseDir: string,
  source: string,
): Promise<UserScenario[]> {
  const files: string[] = [];
  for (const pattern of globs) {
    const matched = (
      await glob(pattern, { cwd: baseDir, absolute: true, ignore: ['**/node_modules/**'] })
    ).sort();
    if (matched.length === 0) {
      throw new SovhError(
        'USER_SCENARIO_GLOB_EMPTY',
        `${source}: scenarios entry "${pattern}" matches no file under ${baseDir}; give a path or glob relative to it, e.g. "scenarios/*.scenario.ts"`,
      );
    }
    for (const file of matched) if (!files.includes(file)) files.push(resolve(file));
  }
  const loaded: UserScenario[] = [];
  for (const file of files) {
    const user = await loadOne(file);
    const twin = loaded.find((u) => u.scenario.name === user.scenario.name);
    if (twin !== undefined) {
      throw new SovhError(
        'USER_SCENARIO_DUPLICATE',
        `scenario name "${user.scenario.name}" is declared by both ${twin.file} and ${file}; give each scenario its own name`,
      );
    }
    loaded.push(user);
  }
  return loaded;
}
