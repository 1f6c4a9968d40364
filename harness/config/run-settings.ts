import { resolve } from 'node:path';
import { makeCatalog, type ScenarioCatalog } from '../scenario/scenario-catalog.ts';
import { boundsFor } from '../scenario/scenario-bounds.ts';
import type { StackDeclaration } from '../stack/stack-resolver.ts';
import { parseStackSource, referenceStack, type StackSource } from '../stack/stack-source.ts';
import { SovhError } from '../util/sovh-error.ts';
import { loadProfileFile, type LoadedProfile } from '../devices/profile-file.ts';
import { findConfigFile, loadConfigFile, type LoadedConfig } from './config-file.ts';
import { isScenarioGlob, loadUserScenarios } from './user-scenarios.ts';
import { userMutants } from './user-mutants.ts';

/** What the command line says; each flag given overrides the config file. */
export interface SettingsFlags {
  stack?: string;
  /** A config file to use instead of the one found from the working directory up. */
  config?: string;
  strict?: boolean;
  /** A device profile instead of the config's `profile`. */
  profile?: string;
}

/** A run's settings: the config file (if any) under the command line's flags. */
export interface RunSettings {
  config?: LoadedConfig;
  stack: StackSource;
  /** The sections the config declares for the stack (else the image label speaks). */
  declaredSections?: StackDeclaration;
  catalog: ScenarioCatalog;
  /** The stack's own values of contract bounds, by scenario, already checked against the contract. */
  bounds: Readonly<Record<string, Readonly<Record<string, number>>>>;
  strict: boolean;
  /** The device profile (`--profile` or the config's `profile`), when one is given. */
  profile?: LoadedProfile;
  /** Where `<run-id>/` goes when no --report-dir is given. */
  reportsRoot: string;
}

/** Lays the flags over the config's values (without a config: the reference stack, the built-in scenarios). */
async function fromConfig(config: LoadedConfig | undefined, flags: SettingsFlags, cwd: string) {
  const file = config?.file ?? 'the command line';
  const values = config?.config ?? {};
  const stack =
    flags.stack !== undefined
      ? parseStackSource(flags.stack, cwd)
      : values.stack !== undefined
        ? parseStackSource(values.stack, config?.dir ?? cwd)
        : referenceStack;
  const entries = values.scenarios ?? [];
  const globs = entries.filter(isScenarioGlob);
  const names = entries.filter((e) => !isScenarioGlob(e));
  const userScenarios = await loadUserScenarios(globs, config?.dir ?? cwd, file);
  const withoutUserMutants = makeCatalog({
    userScenarios,
    referenceStack: stack.kind === 'reference',
  });
  const mutants = userMutants(
    values.mutants ?? [],
    withoutUserMutants.scenarios,
    config?.dir ?? cwd,
    file,
  );
  const catalog = makeCatalog({
    userScenarios,
    userMutants: mutants,
    referenceStack: stack.kind === 'reference',
    defaults:
      values.scenarios === undefined
        ? undefined
        : [...names, ...userScenarios.map((u) => u.scenario.name)],
  });
  const bounds: Record<string, Record<string, number>> = {};
  for (const [name, stated] of Object.entries(values.bounds ?? {})) {
    const scenario = catalog.scenarios.find((s) => s.name === name);
    if (scenario === undefined) {
      throw new SovhError(
        'BOUND_UNKNOWN_SCENARIO',
        `${file}: bounds.${name}: no scenario "${name}"; scenarios with bounds: ${
          catalog.scenarios
            .filter((s) => (s.contractBounds ?? []).length > 0)
            .map((s) => s.name)
            .join(', ') || 'none'
        }`,
      );
    }
    bounds[name] = boundsFor(scenario, stated, file);
  }
  const profileFile =
    flags.profile !== undefined
      ? resolve(cwd, flags.profile)
      : values.profile !== undefined
        ? resolve(config?.dir ?? cwd, values.profile)
        : undefined;
  return {
    config,
    stack,
    profile: profileFile === undefined ? undefined : await loadProfileFile(profileFile),
    declaredSections:
      values.sections === undefined || config === undefined
        ? undefined
        : { sections: values.sections, declaredBy: config.file },
    catalog,
    bounds,
    strict: flags.strict ?? values.strict ?? false,
    reportsRoot:
      values.reportDir === undefined
        ? resolve(config?.dir ?? cwd, 'reports')
        : resolve(config?.dir ?? cwd, values.reportDir),
  };
}

/**
 * Reads the config file (given, or found from `cwd` upward) and lays the command line's flags
 * over it. Every problem is bad input, named with the file and the field, before anything slow.
 */
export async function runSettings(
  flags: SettingsFlags,
  cwd: string = process.cwd(),
): Promise<RunSettings> {
  const file = flags.config ?? findConfigFile(cwd);
  const config = file === undefined ? undefined : await loadConfigFile(resolve(cwd, file));
  return fromConfig(config, flags, cwd);
}
