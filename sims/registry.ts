import { SovhError } from '../harness/util/sovh-error.ts';
import type { SimKind } from './sim-kind.ts';
import { sovereignApiKind } from './sovereign-api/sovereign-api.ts';
import { routerKind } from './router/router.ts';
import { endpointKind } from './endpoint/endpoint.ts';
import { resolverKind } from './resolver/resolver.ts';
import { bmcKind } from './bmc/bmc.ts';
import { upsKind } from './ups/ups.ts';
import { kmsKind } from './kms/kms.ts';
import { hsmKind } from './hsm/hsm.ts';
import { auditKind } from './audit/audit.ts';

/**
 * The one wiring file of simulator kinds: a topology's service names its kind, and this is where
 * the harness looks it up. Each kind lives in sims/<kind>/.
 */
const kinds: SimKind<never>[] = [
  sovereignApiKind as SimKind<never>,
  routerKind as SimKind<never>,
  endpointKind as SimKind<never>,
  resolverKind as SimKind<never>,
  bmcKind as SimKind<never>,
  upsKind as SimKind<never>,
  kmsKind as SimKind<never>,
  hsmKind as SimKind<never>,
  auditKind as SimKind<never>,
];

export function knownSimKinds(): string[] {
  return kinds.map((k) => k.kind).sort();
}

export function simKind(kind: string): SimKind {
  const found = kinds.find((k) => k.kind === kind);
  if (found === undefined) {
    throw new SovhError(
      'UNKNOWN_SIM_KIND',
      `unknown simulator kind "${kind}"; known kinds: ${knownSimKinds().join(', ') || '(none)'}`,
    );
  }
  return found;
}
