/** The IANA port of VXLAN: what an underlay capture sees the encapsulated frames on. */
export const vxlanPort = 4789;

/** A VXLAN tunnel a router terminates, with the addresses the world gave its two ends. */
export interface VxlanTunnel {
  vni: number;
  /** This router's tunnel endpoint: the address of one of its legs. */
  local: string;
  /** The peer router's tunnel endpoint. */
  remote: string;
  /** Destinations routed into the tunnel (the other site's CIDRs). */
  carries: readonly string[];
}

/** Where the encapsulated packets toward the remote endpoint leave: the underlay's next hop. */
export interface UnderlayPath {
  device: string;
  /** The next router; absent when the remote endpoint is on a network of this router. */
  via?: string;
}

/** A tunnel as a router's kernel has it (`ip -d -j link show type vxlan`). */
export interface TunnelState {
  device: string;
  vni: number;
  local: string;
  remote: string;
  port: number;
  mac: string;
}

/** The tunnel's interface name: one per VNI. */
export function tunnelDevice(vni: number): string {
  return `vx${vni}`;
}

/**
 * The MAC of a tunnel interface, derived from its endpoint's address (locally administered). Both
 * ends can name the other's without asking it: frames routed into the tunnel are addressed to the
 * peer's interface directly, with no ARP across the tunnel and no proxy-ARP sysctl to set.
 */
export function tunnelMac(endpoint: string): string {
  const octets = endpoint.split('.').map((o) => Number(o).toString(16).padStart(2, '0'));
  return ['02', '00', ...octets].join(':');
}

/** Reads `ip route get ADDRESS`: the device and next hop the kernel would use. */
export function parseRouteGet(output: string): UnderlayPath | undefined {
  const device = /\bdev (\S+)/.exec(output)?.[1];
  if (device === undefined) return undefined;
  const via = /\bvia (\S+)/.exec(output)?.[1];
  return via === undefined ? { device } : { device, via };
}

/**
 * The commands that bring a tunnel up on a router whose static routes are already in place:
 * 1. pin the remote endpoint (a /32) to the underlay path the world's routes give it, so that the
 *    next step cannot swallow the tunnel's own packets when the endpoint lies in a carried CIDR;
 * 2. the VXLAN interface (unicast to the remote endpoint, IANA port 4789);
 * 3. the carried CIDRs routed into it, to the peer's interface (a permanent neighbour entry);
 * 4. TCP's MSS clamped to the tunnel's MTU (50 bytes less than the underlay's): hosts at 1500
 *    bytes would otherwise rely on ICMP "fragmentation needed" crossing their fences.
 */
export function tunnelCommands(tunnel: VxlanTunnel, underlay: UnderlayPath): string[] {
  const device = tunnelDevice(tunnel.vni);
  const path =
    underlay.via === undefined
      ? `dev ${underlay.device}`
      : `via ${underlay.via} dev ${underlay.device}`;
  return [
    `ip route replace ${tunnel.remote}/32 ${path}`,
    `ip link add ${device} address ${tunnelMac(tunnel.local)} type vxlan id ${tunnel.vni} local ${tunnel.local} remote ${tunnel.remote} dstport ${vxlanPort}`,
    `ip link set ${device} up`,
    `ip neigh replace ${tunnel.remote} lladdr ${tunnelMac(tunnel.remote)} dev ${device} nud permanent`,
    ...tunnel.carries.map(
      (cidr) => `ip route replace ${cidr} via ${tunnel.remote} dev ${device} onlink`,
    ),
    `iptables -t mangle -A FORWARD -o ${device} -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu`,
  ];
}

interface LinkJson {
  ifname?: string;
  address?: string;
  linkinfo?: {
    info_kind?: string;
    info_data?: { id?: number; local?: string; remote?: string; port?: number };
  };
}

/** The VXLAN interfaces in `ip -d -j link show` output. */
export function parseVxlanLinks(json: string): TunnelState[] {
  const links = JSON.parse(json.trim() === '' ? '[]' : json) as LinkJson[];
  return links
    .filter((l) => l.linkinfo?.info_kind === 'vxlan')
    .map((l) => {
      const data = l.linkinfo?.info_data ?? {};
      return {
        device: l.ifname ?? '',
        vni: data.id ?? -1,
        local: data.local ?? '',
        remote: data.remote ?? '',
        port: data.port ?? -1,
        mac: l.address ?? '',
      };
    });
}
