import { describe, expect, it } from 'vitest';
import {
  parseFdbDestinations,
  parseRouteGet,
  parseVxlanLinks,
  tunnelCommands,
  tunnelMac,
  type VxlanTunnel,
} from './vxlan-tunnel.ts';

const tunnel: VxlanTunnel = {
  vni: 4242,
  local: '10.46.0.3',
  remote: '10.47.0.3',
  carries: ['10.47.0.0/16'],
  floodTo: [],
};

describe('VXLAN tunnels of a router', () => {
  it('derives each end\u2019s MAC from its endpoint address', () => {
    expect(tunnelMac('10.47.0.3')).toBe('02:00:0a:2f:00:03');
  });

  it('pins the remote endpoint to the underlay before routing the carried CIDRs into the tunnel', () => {
    const commands = tunnelCommands(tunnel, { device: 'eth1', via: '10.66.0.4' });
    expect(commands).toEqual([
      'ip route replace 10.47.0.3/32 via 10.66.0.4 dev eth1',
      'ip link add vx4242 address 02:00:0a:2e:00:03 type vxlan id 4242 local 10.46.0.3 remote 10.47.0.3 dev eth1 dstport 4789 nolearning',
      'ip link set vx4242 up',
      'ip neigh replace 10.47.0.3 lladdr 02:00:0a:2f:00:03 dev vx4242 nud permanent',
      'ip route replace 10.47.0.0/16 via 10.47.0.3 dev vx4242 onlink',
      'iptables -t mangle -A FORWARD -o vx4242 -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu',
    ]);
  });

  it('copies every frame to each flood endpoint, pinned to its own underlay path', () => {
    const commands = tunnelCommands(
      { ...tunnel, floodTo: ['10.88.0.3'] },
      { device: 'eth1', via: '10.66.0.4' },
      new Map([['10.88.0.3', { device: 'eth1', via: '10.66.0.5' }]]),
    );
    expect(commands.slice(0, 5)).toEqual([
      'ip route replace 10.47.0.3/32 via 10.66.0.4 dev eth1',
      'ip route replace 10.88.0.3/32 via 10.66.0.5 dev eth1',
      'ip link add vx4242 address 02:00:0a:2e:00:03 type vxlan id 4242 local 10.46.0.3 remote 10.47.0.3 dev eth1 dstport 4789 nolearning',
      'ip link set vx4242 up',
      'bridge fdb append 00:00:00:00:00:00 dev vx4242 dst 10.88.0.3',
    ]);
    expect(tunnelCommands(tunnel, { device: 'eth1' }).some((c) => c.startsWith('bridge'))).toBe(
      false,
    );
  });

  it('reads the endpoints of a tunnel\u2019s forwarding database, once each', () => {
    const json = JSON.stringify([
      { mac: '00:00:00:00:00:00', ifname: 'vx4242', dst: '10.47.0.3', flags: ['self'] },
      { mac: '00:00:00:00:00:00', ifname: 'vx4242', dst: '10.88.0.3', flags: ['self'] },
      { mac: '02:00:0a:2f:00:03', ifname: 'vx4242', dst: '10.47.0.3', flags: ['self'] },
      { mac: '33:33:00:00:00:01', ifname: 'vx4242', flags: ['self'], state: 'permanent' },
    ]);
    expect(parseFdbDestinations(json)).toEqual(['10.47.0.3', '10.88.0.3']);
    expect(parseFdbDestinations('')).toEqual([]);
  });

  it('reaches a remote endpoint on its own network without a next hop', () => {
    expect(tunnelCommands(tunnel, { device: 'eth1' })[0]).toBe(
      'ip route replace 10.47.0.3/32 dev eth1',
    );
  });

  it('reads the path of `ip route get`', () => {
    expect(
      parseRouteGet('10.47.0.3 via 10.66.0.4 dev eth1 src 10.66.0.3 uid 0 \n    cache \n'),
    ).toEqual({ device: 'eth1', via: '10.66.0.4' });
    expect(parseRouteGet('10.66.0.4 dev eth1 src 10.66.0.3 uid 0')).toEqual({ device: 'eth1' });
    expect(parseRouteGet('RTNETLINK answers: Network is unreachable')).toBeUndefined();
  });

  it('reads the tunnels of `ip -d -j link show` and ignores other links', () => {
    const json = JSON.stringify([
      { ifname: 'eth0', linkinfo: { info_kind: 'veth' } },
      {
        ifname: 'vx4242',
        address: '02:00:0a:2e:00:03',
        linkinfo: {
          info_kind: 'vxlan',
          info_data: { id: 4242, remote: '10.47.0.3', local: '10.46.0.3', port: 4789 },
        },
      },
    ]);
    expect(parseVxlanLinks(json)).toEqual([
      {
        device: 'vx4242',
        vni: 4242,
        local: '10.46.0.3',
        remote: '10.47.0.3',
        port: 4789,
        mac: '02:00:0a:2e:00:03',
      },
    ]);
    expect(parseVxlanLinks('')).toEqual([]);
  });
});
