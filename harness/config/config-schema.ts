import { z } from 'zod';
import { contractSectionNames, type ContractSection } from '../contract/contract-sections.ts';

/** Where the stack comes from: a path or image name as on the command line, or said outright. */
export const stackSourceSchema = z.union([
  z.string().min(1),
  z.strictObject({ dockerfile: z.string().min(1) }),
  z.strictObject({ image: z.string().min(1) }),
  z.strictObject({ archive: z.string().min(1) }),
]);

const sectionSchema = z.enum(contractSectionNames as [ContractSection, ...ContractSection[]]);

/** A broken variant of the user's stack, and the checks of one scenario it must fail. */
export const userMutantSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'a mutant name is kebab-case words, e.g. "fence-open"'),
    description: z.string().optional(),
    /** The scenario that must catch it (built-in or the user's own). */
    scenario: z.string().min(1),
    /** Checks of that scenario that must fail on it. */
    expectFailing: z.array(z.string().min(1)).min(1),
    /** A unified diff against the stack image (paths from /, `patch -p1`). */
    patch: z.string().min(1).optional(),
    /** Or another image: a Dockerfile directory, an image in the engine or an archive. */
    stack: stackSourceSchema.optional(),
  })
  .refine((m) => (m.patch === undefined) !== (m.stack === undefined), {
    error:
      'give exactly one of `patch` (a diff against the stack image) or `stack` (another image)',
    path: ['patch'],
  });

/** sovh.config.ts (or .json, .yaml): what `sovh run` does in a stack's repository. */
export const configSchema = z.strictObject({
  /** The stack under test; default: the reference stack. */
  stack: stackSourceSchema.optional(),
  /** The contract sections the stack implements; default: its image's label. */
  sections: z.array(sectionSchema).min(1).optional(),
  /**
   * Which scenarios: built-in names and globs of the user's scenario files (an entry with a `/`,
   * a `*` or ending in `.ts` is a glob, relative to the config file). Default: every built-in one,
   * plus no file of the user's.
   */
  scenarios: z.array(z.string().min(1)).min(1).optional(),
  /** Per scenario, bounds the stack holds tighter than the contract: `{ "log-or-die": { haltMs: 5000 } }`. */
  bounds: z.record(z.string(), z.record(z.string(), z.number().positive())).optional(),
  /** Count "not applicable" checks as failures. */
  strict: z.boolean().optional(),
  /** Where runs write their reports (each run in <reportDir>/<run-id>/). */
  reportDir: z.string().min(1).optional(),
  /** A device profile (YAML): which TPMs and UPSes are real lab devices; README, "Real hardware". */
  profile: z.string().min(1).optional(),
  /** Broken variants of the stack that the named checks must catch. */
  mutants: z.array(userMutantSchema).optional(),
});

/** The config as written (what `defineConfig` takes). */
export type SovhConfig = z.input<typeof configSchema>;
export type UserMutantConfig = z.output<typeof userMutantSchema>;
export type ValidConfig = z.output<typeof configSchema>;

/** Types a config file (`export default defineConfig({...})`): an editor checks it as you write. */
export function defineConfig(config: SovhConfig): SovhConfig {
  return config;
}
