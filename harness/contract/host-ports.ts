/**
 * Every port the contract names: what the stack serves, and where the machine's devices and the
 * site's services answer it. Probes and simulators import them from here.
 */
export const hostPorts = {
  /** The store API (HTTP), on every address of the host. */
  store: 8443,
  /** The GeoIP gate (TCP, PROXY protocol v2 toward the gated APIs). */
  geoGate: 9443,
  /** The sovereign envelope relay (HTTP). */
  envelopeRelay: 8444,
  /** Pull-only monitoring (`GET /metrics`), on the zone address only. */
  metrics: 9100,
} as const;

/** Ports of the machine and the site that the stack reaches. */
export const sitePorts = {
  /** The machine's TPM (swtpm) on the machine's loopback, and its control channel. */
  tpm: 2321,
  tpmControl: 2322,
  /** The machine's sysctl agent for `net.*` keys, on the machine's loopback. */
  sysctlAgent: 2330,
  /** A sovereign API (HTTPS). */
  sovereignApi: 443,
  kmip: 5696,
  nut: 3493,
  ipmi: 623,
  snmp: 161,
  dns: 53,
} as const;

/** The sovereign services: all of them must stop in a graceful residency shutdown. */
export const sovereignServicePorts = [
  hostPorts.store,
  hostPorts.geoGate,
  hostPorts.envelopeRelay,
  hostPorts.metrics,
] as const;
