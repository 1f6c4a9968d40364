/**
 * Every log marker the contract names: the manual's error strings and the stack's events. Checks
 * read them as a second witness, never as the only evidence.
 */
export const logMarkers = {
  geographicFence: 'GEOGRAPHIC_FENCE_ERROR',
  localizationMismatch: 'LOCALIZATION_MISMATCH',
  cryptoDeviceNotFound: 'ERR_CRYPTO_DEVICE_NOT_FOUND',
  bgpRouteRevocation: 'BGP Route Revocation',
  bgpRouteRestored: 'BGP route restored',
  martianSource: 'Martian Source',
  routeLeakRejected: 'ROUTE_LEAK_REJECTED',
  qualifiedName: 'qualified_name=',
  geoipDatabase: 'GEOIP_DATABASE sha256=',
  auditLogUnwritable: 'AUDIT_LOG_UNWRITABLE',
  auditWatchInactive: 'AUDIT_WATCH_INACTIVE',
  tlsPolicyRefusal: 'TLS_POLICY_REFUSAL',
  tlsRuntimeMismatch: 'TLS_RUNTIME_MISMATCH',
  envelopeTampered: 'ENVELOPE_TAMPERED',
  keyNotActive: 'KEY_NOT_ACTIVE',
  kmsUnavailable: 'KMS_UNAVAILABLE',
  siteFileError: 'SITE_FILE_ERROR',
  kernelTuningError: 'KERNEL_TUNING_ERROR',
  egressFenceError: 'EGRESS_FENCE_ERROR',
  routingError: 'ROUTING_ERROR',
  immutabilityUnavailable: 'IMMUTABILITY_UNAVAILABLE',
  thermalAlarm: 'THERMAL_ALARM',
  thermalAlarmCleared: 'THERMAL_ALARM_CLEARED',
  thermalCritical: 'THERMAL_CRITICAL',
  thermalReadingsUnavailable: 'THERMAL_READINGS_UNAVAILABLE',
  thermalReadingsRestored: 'THERMAL_READINGS_RESTORED',
  powerOnBattery: 'POWER_ON_BATTERY',
  keysWiped: 'KEYS_WIPED',
  shutdownComplete: 'RESIDENCY_SHUTDOWN_COMPLETE',
} as const;

export type LogMarker = (typeof logMarkers)[keyof typeof logMarkers];
