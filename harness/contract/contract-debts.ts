/**
 * References to the stack that scenarios still make outside the contract module, each to be
 * removed as its scenario moves to the contract (the harness acting itself, or a stack operation
 * the contract names). contract-references.test.ts fails on any reference not listed here and on
 * any entry that is no longer needed, so this list can only shrink. It is empty: every scenario
 * reaches the stack through the contract module or observes it from outside.
 */
export const contractDebts: Record<string, readonly string[]> = {};
