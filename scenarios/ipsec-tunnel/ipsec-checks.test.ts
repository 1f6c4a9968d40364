import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { ipsecChecks } from './ipsec-checks.ts';
import { espPacket, exchangePcap, udpPacket } from './ipsec-packet-fixtures.ts';
import { readCrossings } from './ipsec-packets.ts';
import type { TunnelEndObservation, TunnelObservation } from './ipsec-observations.ts';
import type { XfrmState } from './ipsec-xfrm.ts';

const canary = 'sovh-canary-0011223344556677';
const gwA = '10.53.0.3';
const gwB = '10.54.0.3';
const foreignB = '10.93.0.3';

const zones = [
  { name: 'site-a', kind: 'sovereign', jurisdiction: 'DE', cidrs: ['10.53.0.0/16'] },
  { name: 'site-b', kind: 'sovereign', jurisdiction: 'DE', cidrs: ['10.54.0.0/16'] },
  { name: 'site-b-lab', kind: 'sovereign', jurisdiction: 'DE', cidrs: ['10.55.0.0/16'] },
  { name: 'exchange-a', kind: 'exchange', jurisdiction: 'NL', cidrs: ['10.74.0.0/16'] },
  { name: 'exchange-b', kind: 'exchange', jurisdiction: 'NL', cidrs: ['10.75.0.0/16'] },
  { name: 'foreign', kind: 'foreign', jurisdiction: 'US', cidrs: ['10.93.0.0/16'] },
];

function sa(source: string, destination: string, spi: string): XfrmState {
  return { source, destination, proto: 'esp', spi, reqid: 1, mode: 'tunnel' };
}

/** Both routers holding both SAs between `a` and `b`, with one out policy each. */
function ends(a: string, b: string): TunnelEndObservation[] {
  const states = [sa(a, b, '0x00001001'), sa(b, a, '0x80000002')];
  return [
    {
      router: 'gw-a',
      endpoint: a,
      states,
      policies: [
        {
          source: '10.53.0.0/16',
          destination: '10.54.0.0/16',
          dir: 'out',
          template: { source: a, destination: b, proto: 'esp', mode: 'tunnel' },
        },
      ],
    },
    {
      router: 'gw-b',
      endpoint: b,
      states,
      policies: [
        {
          source: '10.54.0.0/16',
          destination: '10.53.0.0/16',
          dir: 'out',
          template: { source: b, destination: a, proto: 'esp', mode: 'tunnel' },
        },
      ],
    },
  ];
}

function tunnel(tunnelEnds = ends(gwA, gwB)): TunnelObservation {
  return {
    zones,
    sites: {
      a: { router: 'gw-a', zones: ['site-a'], ranges: ['10.53.0.0/16'] },
      b: {
        router: 'gw-b',
        zones: ['site-b', 'site-b-lab'],
        ranges: ['10.54.0.0/16', '10.55.0.0/16'],
      },
    },
    ends: tunnelEnds,
  };
}

/** The control: the canary in clear from the exchange's side A to side B. */
const control = udpPacket('10.74.0.2', '10.75.0.3', canary);
const sealed = [espPacket(gwA, gwB, 0x1001), espPacket(gwB, gwA, 0x8000_0002)];

/** `dropped`: what tcpdump said the kernel dropped; 'unsaid' when it gave no statistics. */
function history(packets: Buffer[], t = tunnel(), dropped: number | 'unsaid' = 0): History {
  const h = new History();
  h.record('observation', 'ipsec-tunnel-ends', t);
  h.record('observation', 'ipsec-exchange-capture', {
    router: 'ixp',
    device: 'any',
    packets: packets.length,
    canary,
    ...readCrossings(exchangePcap(packets), canary),
    sent: ['observer of site-a > 10.54.0.3, 10.55.0.3'],
    tcpdump: [],
    ...(dropped === 'unsaid' ? {} : { droppedByKernel: dropped }),
    attachment: 'exchange.pcap',
  });
  return h;
}

describe('ipsec-tunnel checks', () => {
  it('pass when only ESP between the domestic endpoints crosses, beside the clear control', async () => {
    expect(await checkStatuses(ipsecChecks, history([control, ...sealed]))).toEqual({
      'nothing-crosses-outside-esp': 'pass',
      'tunnel-endpoints-domestic': 'pass',
    });
  });

  it('fail the first on one datagram in clear between the sites (a subnet no policy names)', async () => {
    const leak = udpPacket('10.55.0.2', '10.53.0.3', 'sovh-site-00');
    const result = await checkStatuses(ipsecChecks, history([control, ...sealed, leak]));
    expect(result['nothing-crosses-outside-esp']).toBe('fail');
    expect(result['tunnel-endpoints-domestic']).toBe('pass');
  });

  it('fail both when the tunnel ends abroad, though everything crossed sealed', async () => {
    const abroad = [espPacket(gwA, foreignB, 0x1001), espPacket(foreignB, gwA, 0x8000_0002)];
    expect(
      await checkStatuses(ipsecChecks, history([control, ...abroad], tunnel(ends(gwA, foreignB)))),
    ).toEqual({
      'nothing-crosses-outside-esp': 'fail',
      'tunnel-endpoints-domestic': 'fail',
    });
  });

  it('fail the first when nothing crossed between the sites at all, sealed or not', async () => {
    expect(
      (await checkStatuses(ipsecChecks, history([control])))['nothing-crosses-outside-esp'],
    ).toBe('fail');
  });

  it('fail the second on an SA only one router holds, or a router with none', async () => {
    const [a, b] = ends(gwA, gwB);
    if (a === undefined || b === undefined) throw new Error('two ends');
    const lopsided = [a, { ...b, states: [] }];
    expect(
      (await checkStatuses(ipsecChecks, history([control, ...sealed], tunnel(lopsided))))[
        'tunnel-endpoints-domestic'
      ],
    ).toBe('fail');
  });

  it('are unknown when the capture missed the canary, or missed packets, rather than passing', async () => {
    expect((await checkStatuses(ipsecChecks, history(sealed)))['nothing-crosses-outside-esp']).toBe(
      'unknown',
    );
    const blind = await checkStatuses(ipsecChecks, history([control, ...sealed], tunnel(), 3));
    expect(blind['nothing-crosses-outside-esp']).toBe('unknown');
    const silent = await checkStatuses(
      ipsecChecks,
      history([control, ...sealed], tunnel(), 'unsaid'),
    );
    expect(silent['nothing-crosses-outside-esp']).toBe('unknown');
  });
});
