import { z } from 'zod';

/** A duration as written: "500ms", "5s", "1m30s", or a number of seconds. */
const durationValue = z.union([z.string(), z.number()], {
  error: 'give a duration like 500ms, 5s or 1m30s',
});

export const faultEntrySchema = z
  .object({
    /** When the fault is applied: from the schedule's start, or from the end of the last wait. */
    at: durationValue,
    fault: z.string({ error: 'name a fault (`npx sovh faults` lists them)' }),
    params: z.record(z.string(), z.unknown()).optional(),
    /** How long it stays in force before its heal; without it, until the run ends. */
    for: durationValue.optional(),
  })
  .strict();

/** The schedule holds this long after everything before it, and what follows counts from its end. */
export const waitEntrySchema = z.object({ wait: durationValue }).strict();

export const checkEntrySchema = z
  .object({
    check: z.string({ error: 'name a check' }),
    params: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const incidentSchema = z
  .object({
    /** The incident's name in reports (default: the file's name). */
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes')
      .optional(),
    description: z.string().optional(),
    /** A built-in scenario whose topology the incident takes. */
    scenario: z.string().optional(),
    /** A topology in the harness's own schema (as a scenario's `topology`), instead of `scenario`. */
    topology: z.unknown().optional(),
    schedule: z
      .array(z.unknown(), { error: 'give the schedule as a list' })
      .min(1, 'give at least one fault'),
    checks: z
      .array(z.unknown(), { error: 'give the checks as a list' })
      .min(1, 'name at least one check'),
  })
  .strict();

export const incidentFields = Object.keys(incidentSchema.shape);
