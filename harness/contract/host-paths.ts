/**
 * Every path of a host that the contract (images/host/CONTRACT.md) names, in one place: the
 * site-file builder, the simulators' attachments and every probe import them from here, and a
 * test (contract-references.test.ts) fails when a probe or scenario spells a host path itself.
 * A stack honouring the contract is free in everything not listed here.
 */
export const hostPaths = {
  /** The site file the harness writes before every boot. */
  siteFile: '/etc/residency/site.json',
  /** The VM's system disk (a volume that moves with the VM). */
  systemDisk: '/var/lib/residency',
  /** The VM's data disk. */
  dataDisk: '/data',
  /** Where the sovereign store keeps its objects, `<id>.obj` each. */
  storeDir: '/data/sovereign_storage',
  /**
   * The system's trust store, the CA file OpenSSL reads by default on Debian-based images: where
   * an authority an operator installs lands. No sovereign call may trust what is in it.
   */
  systemTrustBundle: '/etc/ssl/certs/ca-certificates.crt',
  /** Runtime state; a tmpfs. Key material may sit only under `runKeysDir`. */
  runDir: '/run',
  runKeysDir: '/run/residency/keys',

  /** The residency log: every refusal and event line the contract names (the second witness). */
  residencyLog: '/var/lib/residency/log/residency.log',
  /** The residency audit log: the TPM primary key's qualified name at setup, the GeoIP pin. */
  residencyAuditLog: '/var/lib/residency/log/audit.log',
  /** The messages log (iptables LOG format): fence drops and martians, BGP revocations. */
  messagesLog: '/var/lib/residency/log/messages',
  /** Its name inside the host (a link to `messagesLog`, which is on the system disk). */
  messagesLogInHost: '/var/log/messages',
  /** The HSM's secure log, on the system disk; `hsmSecureLogInHost` links to it. */
  hsmSecureLog: '/var/lib/residency/log/hsm/secure.log',
  hsmSecureLogInHost: '/var/log/hsm/secure.log',
  /** The GeoIP gate's session log, one line per session. */
  gateLog: '/var/lib/residency/log/gate.log',
  /** The routing daemon's log: ROUTE_LEAK_REJECTED lines. */
  routingLog: '/var/lib/residency/log/bird.log',

  /** The stack's TPM state: the sealed KEK and the primary key's record. */
  tpmStateDir: '/var/lib/residency/tpm',
  /** The sealed KEK (TPM2B_PUBLIC and TPM2B_PRIVATE as tpm2-tools write them). */
  kekPublic: '/var/lib/residency/tpm/kek.pub',
  kekPrivate: '/var/lib/residency/tpm/kek.priv',
  /** The record of the TPM primary key's qualified name, written at first boot. */
  primaryQualifiedName: '/var/lib/residency/tpm/primary.qname',
  /** The data key's record under the KEK (with key custody). */
  dataKeyRecord: '/var/lib/residency/keys/data-key.record',
  /** The local data key under the KEK, for a site with neither `kms` nor `hsm` (localDataKey). */
  localDataKey: '/var/lib/residency/keys/dek.wrapped',

  /** The only resolver configuration; immutable. */
  resolvConf: '/etc/resolv.conf',
  /** The egress fence's rule file; immutable. */
  fenceRules: '/etc/iptables/rules.v4',

  /** KMIP client configuration the stack writes at boot, and the client credentials. */
  kmipClientConf: '/etc/key-management/client.conf',
  kmsClientCertificate: '/etc/pki/sovereign/client.crt',
  kmsClientKey: '/etc/pki/sovereign/client.key',
  kmsCaCertificate: '/etc/pki/sovereign/ca.crt',

  /** The HSM's RPC socket directory (read-only volume) and the user PIN file. */
  hsmSocketDir: '/run/hsm',
  hsmPinFile: '/etc/residency/hsm/pin',

  /** Audit: the rules the stack installs, the host's audit disk and what lands on it. */
  auditRulesDir: '/etc/audit/rules.d',
  auditDisk: '/var/log/audit',
  auditLog: '/var/log/audit/audit.log',
  auditActiveRules: '/var/log/audit/rules.active',
  storeAuditTrail: '/var/log/audit/residency-store.log',
} as const;

/** Files the stack may make immutable; the harness unlocks them before it removes a boot. */
export const hostLockablePaths = [hostPaths.resolvConf, hostPaths.fenceRules] as const;

/** Capabilities the stack under test may use, each named (the harness never runs privileged). */
export const hostCapabilities = ['NET_ADMIN', 'NET_RAW', 'LINUX_IMMUTABLE', 'IPC_LOCK'] as const;
