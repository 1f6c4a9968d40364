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
  /** IPsec ESP in the kernel (xfrm states of protocol esp): a site-to-site IPsec tunnel. */
  'xfrm-esp',
  'wireguard',
  'macvlan',
  /** IPv6 in the kernel, with ip6tables: dual-stack zones (a zone's ipv6Cidrs) and their fences. */
  'ipv6',
  'nfqueue',
  /** A link delay by either way the router has: netem, or its NFQUEUE delayer. */
  'link-delay',
  'iptables-statistic',
  'nftables',
  'kernel-audit',
  'chattr-overlay',
  'chattr-tmpfs',
  /** The CPU's AES instructions (x86 AES-NI; the `aes` flag of /proc/cpuinfo): sealing speed. */
  'aes-ni',
] as const;

/** What each feature is, in words, for `sovh doctor`. */
export const featureDescriptions: Record<(typeof kernelFeatures)[number], string> = {
  netem: 'tc netem: link delay, jitter, loss',
  tbf: 'tc tbf: rate limits',
  htb: 'tc htb',
  vxlan: 'VXLAN tunnels (overlays between sites)',
  'vlan-8021q': '802.1Q VLAN interfaces',
  gre: 'GRE tunnels',
  'xfrm-esp': 'IPsec ESP in the kernel (xfrm)',
  wireguard: 'WireGuard interfaces',
  macvlan: 'macvlan interfaces (a lab network for real devices)',
  ipv6: 'IPv6 with ip6tables (dual-stack zones)',
  nfqueue: 'iptables NFQUEUE',
  'link-delay': 'a link delay by netem or the NFQUEUE delayer',
  'iptables-statistic': 'iptables statistic: random loss',
  nftables: 'nftables',
  'kernel-audit': 'kernel audit (auditctl)',
  'chattr-overlay': 'chattr +i on overlay and bind mounts',
  'chattr-tmpfs': 'chattr +i on tmpfs',
  'aes-ni': "the CPU's AES instructions (AES-NI)",
};

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
