/** The faults, each with its heal: `import { migrateVm } from 'sovh/faults'`. */
export * from './bgp-announcement.ts';
export * from './boot-chain-change.ts';
export * from './crypto-policy-cap.ts';
export * from './stale-resolv-conf.ts';
export * from './fault.ts';
export * from './hsm-cable-cut.ts';
export * from './mains-failure.ts';
export * from './resolver-outage.ts';
export * from './vm-migration.ts';
export * from './primary-key-replacement.ts';
export * from './cooling-failure.ts';
export * from './fault-registry.ts';
export * from './machine-power.ts';
export * from './kms-outage.ts';
export * from './kms-destruction.ts';
export * from './kms-revocation.ts';
export * from './recorded-traces.ts';
