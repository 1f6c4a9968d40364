/**
 * References to the stack that scenarios still make outside the contract module, each to be
 * removed as its scenario moves to the contract (the harness acting itself, or a stack operation
 * the contract names). contract-references.test.ts fails on any reference not listed here and on
 * any entry that is no longer needed, so this list can only shrink.
 */
export const contractDebts: Record<string, readonly string[]> = {
  'scenarios/egress-default-deny/egress-default-deny.ts': ['port:8443'],
  'scenarios/kms-key-custody/kms-key-custody.ts': ['reference-only:store serving'],
  // Not in the contract at all: the contract's record is hostPaths.dataKeyRecord.
  'scenarios/power-thermal/power-evidence.ts': ['host-path:/var/lib/residency/keys/dek.wrapped'],
  'scenarios/pull-only-monitoring/pull-only-evidence.ts': ['port:9100', 'port:8443', 'port:9443'],
};
