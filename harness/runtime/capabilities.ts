/**
 * What the kernel and the engine can do for a scenario. Scenarios and checks name what they need;
 * where a capability is missing, the result is "not applicable: <capability> missing", never a pass.
 */
export const kernelFeatures = [
  'netem',
  'tbf',
  'htb',
  'vxlan',
  'vlan-8021q',
  'gre',
  'wireguard',
  'macvlan',
  'nfqueue',
  /** A link delay by either way the router has: netem, or its NFQUEUE delayer. */
  'link-delay',
  'iptables-statistic',
  'nftables',
  'kernel-audit',
  'chattr-overlay',
  'chattr-tmpfs',
] as const;

/** Linux capabilities the harness may add to containers; each is tried on its own. */
export const containerCapabilities = [
  'NET_ADMIN',
  'NET_RAW',
  'LINUX_IMMUTABLE',
  'IPC_LOCK',
  'SYS_PTRACE',
  'AUDIT_CONTROL',
  'AUDIT_READ',
  'AUDIT_WRITE',
  'SYS_ADMIN',
  'SYS_RESOURCE',
  'SYS_TIME',
] as const;

export type KernelFeature = (typeof kernelFeatures)[number];
export type ContainerCapability = (typeof containerCapabilities)[number];
/** A scenario's or check's need: a kernel feature or `cap:<NAME>`. */
export type Capability = KernelFeature | `cap:${ContainerCapability}`;

export interface CapabilityEntry {
  name: Capability;
  available: boolean;
  /** Why not, or how it was established. */
  detail: string;
}

export interface CapabilityReport {
  probedAt: string;
  engine: { address: string; flavour: string; version: string; apiVersion: string; kernel: string };
  entries: CapabilityEntry[];
}

export function missingCapabilities(
  report: CapabilityReport,
  needs: readonly Capability[],
): Capability[] {
  return needs.filter((need) => report.entries.find((e) => e.name === need)?.available !== true);
}
