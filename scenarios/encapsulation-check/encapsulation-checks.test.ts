import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import type { TunnelState } from '../../sims/router/vxlan-tunnel.ts';
import { encapsulationChecks, zoneOf } from './encapsulation-checks.ts';
import {
  observed,
  type UnderlayCaptureObservation,
  type UnderlayFlow,
  type ZoneFacts,
} from './encapsulation-evidence.ts';

const zones: ZoneFacts[] = [
  { name: 'site-a', kind: 'sovereign', jurisdiction: 'DE', cidrs: ['10.48.0.0/16'] },
  { name: 'site-b', kind: 'sovereign', jurisdiction: 'DE', cidrs: ['10.49.0.0/16'] },
  { name: 'exchange-a', kind: 'exchange', jurisdiction: 'NL', cidrs: ['10.68.0.0/16'] },
  { name: 'foreign', kind: 'foreign', jurisdiction: 'US', cidrs: ['10.88.0.0/16'] },
];
const a = '10.48.0.3';
const b = '10.49.0.3';
const abroad = '10.88.0.4';

function tunnel(local: string, remote: string, floodTo: string[] = []): TunnelState {
  return {
    device: 'vx4242',
    vni: 4242,
    local,
    remote,
    port: 4789,
    mac: '02:00:0a:30:00:03',
    destinations: [remote, ...floodTo],
  };
}

const vxlan = (source: string, destination: string): UnderlayFlow => ({
  kind: 'vxlan',
  source,
  destination,
  protocol: 'udp',
  port: 4789,
  vni: 4242,
  packets: 12,
});

type Change = {
  tunnels?: { router: string; tunnels: TunnelState[] }[];
  flows?: UnderlayFlow[];
  capture?: Partial<UnderlayCaptureObservation>;
  omit?: 'capture' | 'tunnels';
};

/** The history of a correct world and stack; `change` breaks one piece of evidence at a time. */
function history(change: Change = {}): History {
  const h = new History();
  if (change.omit !== 'tunnels')
    h.record('observation', observed.tunnels.name, {
      zones,
      routers: change.tunnels ?? [
        { router: 'gw-a', tunnels: [tunnel(a, b)] },
        { router: 'gw-b', tunnels: [tunnel(b, a)] },
      ],
    });
  if (change.omit !== 'capture')
    h.record('observation', observed.capture.name, {
      router: 'ixp',
      device: 'any',
      packets: 30,
      canary: 'sovh-canary-1',
      canarySeen: true,
      canaryInTunnel: true,
      flows: change.flows ?? [vxlan(a, b), vxlan(b, a), { kind: 'arp', packets: 4 }],
      payloadIds: ['record-1', 'record-2'],
      payloadsInCapture: [],
      relayStreams: [
        {
          source: `${a}:40000`,
          destination: `${b}:8444`,
          where: 'inside-tunnel',
          bytes: 300,
          sealedAs: 'envelope',
          head: 'SOVENV1\n',
        },
      ],
      tcpdump: [],
      droppedByKernel: 0,
      ...change.capture,
    } satisfies UnderlayCaptureObservation);
  return h;
}

const statuses = (change?: Change) => checkStatuses(encapsulationChecks, history(change));

describe('encapsulation-check checks', () => {
  it('pass on a world whose sites talk only through the domestic tunnel, sealed', async () => {
    expect(await statuses()).toEqual({
      'site-traffic-only-in-tunnel': 'pass',
      'tunnel-endpoints-domestic': 'pass',
      'inner-payload-sealed': 'pass',
    });
  });

  it('fail when an endpoint is abroad', async () => {
    const result = await statuses({
      tunnels: [
        { router: 'gw-a', tunnels: [tunnel(a, abroad)] },
        { router: 'gw-b', tunnels: [tunnel(abroad, a)] },
      ],
      flows: [vxlan(a, abroad), vxlan(abroad, a)],
    });
    expect(result['tunnel-endpoints-domestic']).toBe('fail');
    expect(result['site-traffic-only-in-tunnel']).toBe('fail');
    expect(result['inner-payload-sealed']).toBe('pass');
  });

  it('fail when the VNI is also flooded to a foreign endpoint, beside the domestic tunnel', async () => {
    const result = await statuses({
      tunnels: [
        { router: 'gw-a', tunnels: [tunnel(a, b, [abroad])] },
        { router: 'gw-b', tunnels: [tunnel(b, a)] },
      ],
      flows: [vxlan(a, b), vxlan(b, a), vxlan(a, abroad)],
    });
    expect(result['tunnel-endpoints-domestic']).toBe('fail');
    expect(result['site-traffic-only-in-tunnel']).toBe('fail');
    expect(result['inner-payload-sealed']).toBe('pass');
    // A further domestic endpoint in the flood list is no breach of the jurisdiction.
    const domestic = await statuses({
      tunnels: [
        { router: 'gw-a', tunnels: [tunnel(a, b, ['10.49.0.9'])] },
        { router: 'gw-b', tunnels: [tunnel(b, a)] },
      ],
    });
    expect(domestic['tunnel-endpoints-domestic']).toBe('pass');
  });

  it('fail when traffic crosses bare or no tunnel exists', async () => {
    const result = await statuses({
      tunnels: [
        { router: 'gw-a', tunnels: [] },
        { router: 'gw-b', tunnels: [] },
      ],
      flows: [{ kind: 'ipv4', source: a, destination: b, protocol: 'tcp', port: 8443, packets: 9 }],
      capture: { canaryInTunnel: false },
    });
    expect(result['site-traffic-only-in-tunnel']).toBe('fail');
    expect(result['tunnel-endpoints-domestic']).toBe('fail');
  });

  it('fails a tunnel to a domestic address no peer router ends', async () => {
    const result = await statuses({
      tunnels: [{ router: 'gw-a', tunnels: [tunnel(a, b)] }],
    });
    expect(result['tunnel-endpoints-domestic']).toBe('fail');
  });

  it('fails VXLAN between other addresses, even beside the tunnel', async () => {
    const result = await statuses({ flows: [vxlan(a, b), vxlan(a, '10.68.0.9')] });
    expect(result['site-traffic-only-in-tunnel']).toBe('fail');
  });

  it('lets IPv6 neighbour discovery on the segment pass, and fails any other IPv6 frame', async () => {
    const discovery: UnderlayFlow = {
      kind: 'ipv6-link-local',
      source: 'fe80:0:0:0:42:acff:fe10:3',
      destination: 'ff02:0:0:0:0:0:0:2',
      packets: 2,
    };
    const pass = await statuses({ flows: [vxlan(a, b), vxlan(b, a), discovery] });
    expect(pass['site-traffic-only-in-tunnel']).toBe('pass');
    const other = await statuses({
      flows: [vxlan(a, b), vxlan(b, a), { kind: 'other', etherType: '0x86dd', packets: 2 }],
    });
    expect(other['site-traffic-only-in-tunnel']).toBe('fail');
  });

  it('fails a payload readable at the exchange, or a relay stream in clear', async () => {
    expect(
      (await statuses({ capture: { payloadsInCapture: ['record-1'] } }))['inner-payload-sealed'],
    ).toBe('fail');
    const clear = await statuses({
      capture: {
        relayStreams: [
          {
            source: `${a}:40000`,
            destination: `${b}:8444`,
            where: 'inside-tunnel',
            bytes: 40,
            sealedAs: 'clear',
            head: 'sovereign record',
          },
        ],
      },
    });
    expect(clear['inner-payload-sealed']).toBe('fail');
    expect((await statuses({ capture: { relayStreams: [] } }))['inner-payload-sealed']).toBe(
      'fail',
    );
    const unseen = {
      source: `${a}:40002`,
      destination: `${b}:8444`,
      where: 'inside-tunnel' as const,
      bytes: 190,
      sealedAs: 'unseen' as const,
      head: '',
    };
    const [sealed] = history().observations<UnderlayCaptureObservation>(observed.capture.name);
    const both = [...(sealed?.data.relayStreams ?? []), unseen];
    expect((await statuses({ capture: { relayStreams: both } }))['inner-payload-sealed']).toBe(
      'pass',
    );
    expect((await statuses({ capture: { relayStreams: [unseen] } }))['inner-payload-sealed']).toBe(
      'unknown',
    );
  });

  it('are unknown without the canary or without their evidence', async () => {
    const blind = await statuses({ capture: { canarySeen: false } });
    expect(blind['site-traffic-only-in-tunnel']).toBe('unknown');
    expect(blind['inner-payload-sealed']).toBe('unknown');
    expect(await statuses({ omit: 'capture' })).toMatchObject({
      'site-traffic-only-in-tunnel': 'unknown',
      'inner-payload-sealed': 'unknown',
      'tunnel-endpoints-domestic': 'pass',
    });
    expect((await statuses({ omit: 'tunnels' }))['tunnel-endpoints-domestic']).toBe('unknown');
  });

  it('places an address in the topology\u2019s zone, or none', () => {
    expect(zoneOf(zones, abroad)?.name).toBe('foreign');
    expect(zoneOf(zones, '192.168.1.1')).toBeUndefined();
  });
});
