import { describe, expect, it } from 'vitest';
import {
  deviceOfAddress,
  expectedPortVlans,
  portVlans,
  removeVlanInterfaceCommand,
  stationAddressCommand,
  switchBridge,
  switchCommands,
  vlanFilter,
  vlanInterfaceCommands,
} from './vlan-commands.ts';
import { portProfiles } from './vlan-plan.ts';

const trunk = { device: 'eth0', profile: { mode: 'trunk', vlans: [100] } } as const;
const access = { device: 'eth2', profile: { mode: 'access', vlan: 200 } } as const;

describe('the switch', () => {
  it('is a VLAN-filtering bridge with no default VLAN, a trunk tagged and an access port as PVID untagged', () => {
    expect(switchCommands([trunk, access]).map((c) => c.join(' '))).toEqual([
      `ip link add ${switchBridge} type bridge vlan_filtering 1 vlan_default_pvid 0`,
      `ip link set eth0 master ${switchBridge}`,
      'bridge vlan add dev eth0 vid 100',
      `ip link set eth2 master ${switchBridge}`,
      'bridge vlan add dev eth2 vid 200 pvid untagged',
      `ip link set ${switchBridge} up`,
    ]);
  });

  it('adds one vid line per id a trunk carries', () => {
    const all = { device: 'eth1', profile: portProfiles['trunk-all'] ?? trunk.profile };
    expect(
      switchCommands([all])
        .filter((c) => c[0] === 'bridge')
        .map((c) => c.join(' ')),
    ).toEqual(['bridge vlan add dev eth1 vid 100', 'bridge vlan add dev eth1 vid 200']);
  });

  it('refuses an id outside 1-4094 and a device name a shell or ip would misread', () => {
    expect(() =>
      switchCommands([{ device: 'eth0', profile: { mode: 'access', vlan: 4095 } }]),
    ).toThrow(/1 to 4094/);
    expect(() => switchCommands([{ ...trunk, device: 'eth0; reboot' }])).toThrow(/interface/);
  });

  it("reads back what each port carries from bridge's JSON, ranges expanded, the bridge itself left out", () => {
    const shown = JSON.stringify([
      { ifname: 'eth0', vlans: [{ vlan: 100 }] },
      { ifname: 'eth1', vlans: [{ vlan: 100, vlanEnd: 102 }, { vlan: 200 }] },
      { ifname: 'eth2', vlans: [{ vlan: 200, flags: ['PVID', 'Egress Untagged'] }] },
      { ifname: switchBridge, vlans: [{ vlan: 1 }] },
    ]);
    expect(portVlans(shown)).toEqual({ eth0: [100], eth1: [100, 101, 102, 200], eth2: [200] });
    expect(portVlans('')).toEqual({});
    expect(expectedPortVlans([trunk, access])).toEqual({ eth0: [100], eth2: [200] });
  });
});

describe("the host's side", () => {
  it('makes an 802.1Q sub-interface with its address and brings it up', () => {
    expect(
      vlanInterfaceCommands('eth0', 200, '192.168.200.10', 24).map((c) => c.join(' ')),
    ).toEqual([
      'ip link add link eth0 name vl200 type vlan id 200',
      'ip address add 192.168.200.10/24 dev vl200',
      'ip link set vl200 up',
    ]);
    expect(removeVlanInterfaceCommand(200)).toEqual(['ip', 'link', 'del', 'vl200']);
  });

  it('finds its trunk interface by its address, without the peer suffix of a namespace', () => {
    const shown = [
      '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
      '27: eth0@if28    inet 10.56.3.5/24 brd 10.56.3.255 scope global eth0\\       valid_lft forever',
    ].join('\n');
    expect(deviceOfAddress(shown, '10.56.3.5')).toBe('eth0');
    expect(deviceOfAddress(shown, '10.56.3.6')).toBeUndefined();
  });

  it("gives a station its VLAN's address on its access port", () => {
    expect(stationAddressCommand('eth0', '192.168.100.2', 24).join(' ')).toBe(
      'ip address add 192.168.100.2/24 dev eth0',
    );
  });
});

describe('reading a capture by hand', () => {
  it("filters one VLAN's frames as tcpdump reads them", () => {
    expect(vlanFilter(100)).toBe('vlan 100');
  });
});
