/**
 * The stack contract as code: the one interface between the harness and a stack under test.
 * images/host/CONTRACT.md is its prose; this module is what the harness reads and writes.
 */
export { hostCapabilities, hostLockablePaths, hostPaths } from './host-paths.ts';
export { localDataKey } from './local-data-key.ts';
export { hostPorts, sitePorts, sovereignServicePorts } from './host-ports.ts';
export { logMarkers, type LogMarker } from './log-markers.ts';
export { sealedPcrs, siteFileSchema, storePort, type SiteFile } from './site-file.ts';
export {
  envelopeSendResult,
  sovereignApiCallResult,
  stackOperations,
  type EnvelopeSendResult,
  type SovereignApiCallResult,
  type StackOperation,
} from './stack-operations.ts';
export { canonicalGeoipDatabase, gateLimits, sha256Hex } from './geo-gate.ts';
export {
  contractSectionNames,
  contractSections,
  contractSectionsLabel,
  isContractSection,
  parseContractSections,
  type ContractSection,
} from './contract-sections.ts';
export { contractBound, looserThanContract, type ContractBound } from './contract-bounds.ts';
export { fencedThroughputBound } from './egress-bounds.ts';
export {
  hsmAnswerTimeoutMs,
  hsmHangRefusalBound,
  hsmRefusalBound,
  hsmWatchIntervalMs,
  kmsRevocationBound,
  kmsWatchIntervalMs,
} from './key-custody-bounds.ts';
