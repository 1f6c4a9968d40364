import { SovhError } from '../harness/util/sovh-error.ts';
import type { SimKind } from './sim-kind.ts';

/**
 * The one wiring file of simulator kinds: a topology's service names its kind, and this is where
 * the harness looks it up. Each kind lives in sims/<kind>/.
 */
const kinds: SimKind<never>[] = [];

export function knownSimKinds(): string[] {
  return kinds.map((k) => k.kind).sort();
}

export function simKind(kind: string): SimKind<unknown> {
  const found = kinds.find((k) => k.kind === kind);
  if (found === undefined) {
    throw new SovhError(
      'UNKNOWN_SIM_KIND',
      `unknown simulator kind "${kind}"; known kinds: ${knownSimKinds().join(', ') || '(none)'}`,
    );
  }
  return found as SimKind<unknown>;
}
