import { z } from 'zod';

/**
 * Stack operations: where a scenario needs the stack itself to act (its own TLS client toward a
 * sovereign API, its own sealing of an envelope), the contract names a command that every stack
 * image provides on its PATH, with defined arguments and one JSON object as the last line of its
 * standard output; exit status 0 exactly when that object says `ok: true`. The harness runs it in
 * the host and never takes its answer as the only evidence: each check compares it with what the
 * harness gathers itself (what the endpoint received, what crossed the exchange).
 */
export interface StackOperation<Args extends readonly string[], Result> {
  /** The operation's name in reports. */
  name: string;
  description: string;
  /** The command line for these arguments. */
  command(...args: Args): string[];
  /** The schema of the JSON object it prints. */
  result: z.ZodType<Result>;
  /** How long the contract lets it take before the harness stops waiting. */
  timeoutMs: number;
}

/** What `callSovereignApi` prints: the session it made, or why it made none. */
export const sovereignApiCallResult = z
  .object({
    ok: z.boolean(),
    /** The negotiated TLS version ("TLSv1.3") when a session was made. */
    protocol: z.string().optional(),
    /** The HTTP status of the answer. */
    status: z.number().int().optional(),
    body: z.string().optional(),
    /** Why it failed: `TLS_POLICY_REFUSAL: ...`, `TLS_RUNTIME_MISMATCH: ...`, `CONNECT_FAILED: ...`. */
    error: z.string().optional(),
  })
  .loose();
export type SovereignApiCallResult = z.infer<typeof sovereignApiCallResult>;

/** What `sendEnvelope` prints: the receiver's inbox answer, or why nothing was delivered. */
export const envelopeSendResult = z
  .object({
    ok: z.boolean(),
    /** The HTTP status the receiver's inbox answered (201 when it opened the envelope). */
    status: z.number().int().optional(),
    /** The size of the envelope sent, in bytes. */
    bytes: z.number().int().optional(),
    error: z.string().optional(),
  })
  .loose();
export type EnvelopeSendResult = z.infer<typeof envelopeSendResult>;

export const stackOperations = {
  callSovereignApi: {
    name: 'call-sovereign-api',
    description:
      "GET PATH from the site file's sovereign API NAME with the stack's own client, under its TLS policy",
    command: (name: string, path: string) => ['residency-api', 'call', name, path],
    result: sovereignApiCallResult,
    timeoutMs: 30_000,
  } satisfies StackOperation<[string, string], SovereignApiCallResult>,
  sendEnvelope: {
    name: 'send-envelope',
    description:
      "Seal the local store's object ID as a sovereign envelope and deliver it to the inbox of the host at ADDRESS",
    command: (objectId: string, address: string) => [
      'residency-envelope',
      'send',
      objectId,
      address,
    ],
    result: envelopeSendResult,
    timeoutMs: 30_000,
  } satisfies StackOperation<[string, string], EnvelopeSendResult>,
} as const;
