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
  /**
   * Further endpoints the VNI's frames are replicated to (a static flood list, head-end
   * replication): each gets a copy of every frame the router sends into the tunnel.
   */
  floodTo: readonly string[];
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
  /**
   * Every endpoint the kernel's forwarding database sends the VNI's frames to (`bridge fdb`):
   * the remote endpoint and any flood entry beside it.
   */
  destinations: string[];
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

function pinCommand(address: string, underlay: UnderlayPath): string {
  const path =
    underlay.via === undefined
      ? `dev ${underlay.device}`
      : `via ${underlay.via} dev ${underlay.device}`;
  return `ip route replace ${address}/32 ${path}`;
}

/**
 * The commands that bring a tunnel up on a router whose static routes are already in place:
 * 1. pin the remote endpoint (a /32) to the underlay path the world's routes give it, so that the
 *    next step cannot swallow the tunnel's own packets when the endpoint lies in a carried CIDR
 *    (and each flood endpoint to its own path, `floodUnderlays`);
 * 2. the VXLAN interface (unicast to the remote endpoint, IANA port 4789), learning no MAC: the
 *    peer's is derived, and its forwarding database is the plan's alone; a flood endpoint is one
 *    more all-zeros entry, so every frame is copied to it too. It is bound to the underlay's
 *    device, from which the kernel takes its MTU (the underlay's less VXLAN's 50 bytes); without
 *    a device it is given 1500, the MSS clamp below lowers nothing, and every full-size packet
 *    crosses the exchange as two fragments (the `overlay` benchmark measured 0.3 Gbit/s so);
 * 3. the carried CIDRs routed into it, to the peer's interface (a permanent neighbour entry);
 * 4. TCP's MSS clamped to the tunnel's MTU (50 bytes less than the underlay's): hosts at 1500
 *    bytes would otherwise rely on ICMP "fragmentation needed" crossing their fences.
 */
export function tunnelCommands(
  tunnel: VxlanTunnel,
  underlay: UnderlayPath,
  floodUnderlays: ReadonlyMap<string, UnderlayPath> = new Map(),
): string[] {
  const device = tunnelDevice(tunnel.vni);
  return [
    pinCommand(tunnel.remote, underlay),
    ...tunnel.floodTo.flatMap((address) => {
      const path = floodUnderlays.get(address);
      return path === undefined ? [] : [pinCommand(address, path)];
    }),
    `ip link add ${device} address ${tunnelMac(tunnel.local)} type vxlan id ${tunnel.vni} local ${tunnel.local} remote ${tunnel.remote} dev ${underlay.device} dstport ${vxlanPort} nolearning`,
    `ip link set ${device} up`,
    ...tunnel.floodTo.map(
      (address) => `bridge fdb append 00:00:00:00:00:00 dev ${device} dst ${address}`,
    ),
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

/** The VXLAN interfaces in `ip -d -j link show` output (their destinations are read apart). */
export function parseVxlanLinks(json: string): Omit<TunnelState, 'destinations'>[] {
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

/** The endpoints a device's forwarding database sends to, in `bridge -j fdb show dev DEVICE` output. */
export function parseFdbDestinations(json: string): string[] {
  const entries = JSON.parse(json.trim() === '' ? '[]' : json) as { dst?: string }[];
  return [...new Set(entries.flatMap((e) => (e.dst === undefined ? [] : [e.dst])))];
}
