import { admittedVlans, type PortProfile } from './vlan-plan.ts';

/**
 * The commands vlan-segments runs in its containers, built here without side effects so that
 * each can be read and tested: the switch's VLAN-filtering bridge, a station's address on its
 * access port, a host's 802.1Q sub-interface, and reading back what the kernels hold.
 */

/** The bridge inside the switch container that joins its legs. */
export const switchBridge = 'sovh-br';

/** A switch port: the leg device in the switch container and its profile. */
export interface SwitchPort {
  device: string;
  profile: PortProfile;
}

const deviceName = /^[A-Za-z0-9_.@-]{1,15}$/;

/** A Linux interface name, or a TypeError: it is passed to ip, bridge and the probes. */
export function checkDevice(device: string): string {
  if (!deviceName.test(device))
    throw new TypeError(`interface "${device}": use 1-15 of letters, digits, "_", ".", "@", "-"`);
  return device;
}

function checkVlanId(id: number): number {
  if (!Number.isInteger(id) || id < 1 || id > 4094)
    throw new TypeError(`VLAN id ${String(id)}: use an integer from 1 to 4094`);
  return id;
}

/**
 * The switch: a bridge with VLAN filtering and no default VLAN (`vlan_default_pvid 0`), so that
 * a port carries exactly the ids the plan gives it and untagged frames of the zones' own networks
 * never cross between cables. An access port takes its VLAN as PVID, untagged on egress; a trunk
 * port carries its ids tagged and nothing else.
 */
export function switchCommands(ports: readonly SwitchPort[]): string[][] {
  const commands: string[][] = [
    [
      'ip',
      'link',
      'add',
      switchBridge,
      'type',
      'bridge',
      'vlan_filtering',
      '1',
      'vlan_default_pvid',
      '0',
    ],
  ];
  for (const port of ports) {
    const device = checkDevice(port.device);
    commands.push(['ip', 'link', 'set', device, 'master', switchBridge]);
    if (port.profile.mode === 'access')
      commands.push([
        'bridge',
        'vlan',
        'add',
        'dev',
        device,
        'vid',
        String(checkVlanId(port.profile.vlan)),
        'pvid',
        'untagged',
      ]);
    else
      for (const id of port.profile.vlans)
        commands.push(['bridge', 'vlan', 'add', 'dev', device, 'vid', String(checkVlanId(id))]);
  }
  commands.push(['ip', 'link', 'set', switchBridge, 'up']);
  return commands;
}

/** What the switch's ports must carry, as `bridge -j vlan show` reads it back (sorted ids). */
export function expectedPortVlans(ports: readonly SwitchPort[]): Record<string, number[]> {
  return Object.fromEntries(
    ports.map((p) => [p.device, admittedVlans(p.profile).sort((a, b) => a - b)]),
  );
}

/** The name of a host's sub-interface for a VLAN id: short enough for any parent name. */
export function vlanInterfaceName(id: number): string {
  return `vl${String(checkVlanId(id))}`;
}

/** Creates an 802.1Q sub-interface of `parent` with an address in the VLAN, and brings it up. */
export function vlanInterfaceCommands(
  parent: string,
  id: number,
  address: string,
  prefixLength: number,
): string[][] {
  const name = vlanInterfaceName(id);
  return [
    [
      'ip',
      'link',
      'add',
      'link',
      checkDevice(parent),
      'name',
      name,
      'type',
      'vlan',
      'id',
      String(id),
    ],
    ['ip', 'address', 'add', `${address}/${String(prefixLength)}`, 'dev', name],
    ['ip', 'link', 'set', name, 'up'],
  ];
}

/** Removes a sub-interface made by `vlanInterfaceCommands` (its address goes with it). */
export function removeVlanInterfaceCommand(id: number): string[] {
  return ['ip', 'link', 'del', vlanInterfaceName(id)];
}

/** Gives a station an address of its VLAN on the device of its access port (untagged there). */
export function stationAddressCommand(
  device: string,
  address: string,
  prefixLength: number,
): string[] {
  return ['ip', 'address', 'add', `${address}/${String(prefixLength)}`, 'dev', checkDevice(device)];
}

/** The device that holds an IPv4 address, from `ip -o -4 address show`; undefined when none does. */
export function deviceOfAddress(ipAddressOutput: string, address: string): string | undefined {
  for (const line of ipAddressOutput.split('\n')) {
    const match = /^\d+:\s+(\S+)\s+inet\s+(\d+\.\d+\.\d+\.\d+)\//.exec(line.trim());
    // A device inside a network namespace prints as "eth0@if12": the name is before the "@".
    if (match?.[2] === address) return match[1]?.split('@')[0];
  }
  return undefined;
}

/** The ids each port of the switch carries, from `bridge -j vlan show` (ports only, not the bridge). */
export function portVlans(bridgeVlanJson: string): Record<string, number[]> {
  const parsed = JSON.parse(bridgeVlanJson || '[]') as unknown;
  if (!Array.isArray(parsed)) throw new TypeError('bridge -j vlan show: not a JSON array');
  const ports: Record<string, number[]> = {};
  for (const entry of parsed as { ifname?: unknown; vlans?: unknown }[]) {
    if (typeof entry.ifname !== 'string' || entry.ifname === switchBridge) continue;
    const ids = Array.isArray(entry.vlans)
      ? (entry.vlans as { vlan?: unknown; vlanEnd?: unknown }[]).flatMap((v) => {
          if (typeof v.vlan !== 'number') return [];
          const end = typeof v.vlanEnd === 'number' ? v.vlanEnd : v.vlan;
          return Array.from({ length: end - v.vlan + 1 }, (_, i) => (v.vlan as number) + i);
        })
      : [];
    ports[entry.ifname] = ids.sort((a, b) => a - b);
  }
  return ports;
}

/**
 * tcpdump's filter for the frames of one VLAN (`tcpdump -e -nn -r FILE vlan 100`): how a reader
 * of the evidence finds them in a capture the check reads whole.
 */
export function vlanFilter(id: number): string {
  return `vlan ${String(checkVlanId(id))}`;
}
