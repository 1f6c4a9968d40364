import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import type { EndpointConnection } from '../../sims/endpoint/endpoint.ts';
import { controlTraffic, type ControlPacket } from '../network-world/control-traffic.ts';
import { packetSources } from '../network-world/exchange-capture.ts';
import { datagramAttempts, type DatagramAttempt } from '../network-world/network-evidence.ts';
import { egressChecks, phase } from './egress-checks.ts';

const host = '10.40.0.20';
const observer = '10.40.0.2';
const api = { endpoint: 'foreign-api', address: '10.80.0.10' };
const kms = { endpoint: 'foreign-kms', address: '10.80.0.11' };
const domestic = '10.40.0.30';
const sovereignApi = '10.60.0.10';

const controlPackets: ControlPacket[] = [
  ...[443, 80].map((port) => ({ proto: 'tcp' as const, ...api, port, sent: true, detail: '' })),
  ...[53, 443].map((port) => ({ proto: 'udp' as const, ...api, port, sent: true, detail: '' })),
  { proto: 'icmp', ...api, port: 0, sent: true, detail: '' },
  { proto: 'tcp', ...kms, port: 5696, sent: true, detail: '' },
  { proto: 'udp', ...kms, port: 123, sent: true, detail: '' },
  { proto: 'icmp', ...kms, port: 0, sent: true, detail: '' },
];

/** The harness's datagram to the sovereign API's UDP listener: its control. */
const apiUdpControl: ControlPacket = {
  proto: 'udp',
  endpoint: 'sovereign-api',
  address: sovereignApi,
  port: 443,
  sent: true,
  detail: '',
};

function received(packet: ControlPacket, peer: string): EndpointConnection {
  return {
    at: '2026-12-02T10:00:00.000Z',
    proto: packet.proto,
    port: packet.port,
    peer,
    peerPort: packet.proto === 'icmp' ? 0 : 40_000,
    ...(packet.proto === 'icmp' ? { icmpType: 8, icmpCode: 0 } : {}),
  };
}

function datagram(
  role: string,
  proto: 'udp' | 'icmp',
  address: string,
  port: number,
  answered: boolean,
): DatagramAttempt {
  return {
    from: 'm1-probe',
    proto,
    target: proto === 'udp' ? `${address}:${port}` : address,
    sent: answered,
    answered,
    detail: answered ? 'answered' : 'send refused: Operation not permitted',
    role,
    port,
  };
}

function fenceLine(proto: string, address: string, port?: number): string {
  const ports = port === undefined ? 'TYPE=8 CODE=0' : `SPT=40000 DPT=${port} `;
  return `Dec  2 10:00:00 vm1 GEOGRAPHIC_FENCE_ERROR IN= OUT=eth0 SRC=${host} DST=${address} LEN=60 PROTO=${proto} ${ports}`;
}

type Change = {
  /** Packets of the host that reached a foreign listener. */
  leaked?: ControlPacket[];
  /** Extra packets from the host in the exchange capture. */
  crossed?: number;
  /** Control packets their listener did not record. */
  controlLost?: ControlPacket[];
  controlAtExchange?: boolean;
  domesticDatagramsAnswered?: boolean;
  /** Fence lines left out of the messages log, by protocol. */
  unlogged?: string[];
  /** A datagram from source port 53 to the foreign API's port 53: logged, unlogged or not tried. */
  fromPort53?: 'logged' | 'unlogged' | 'not-tried';
  /** Martian records of the sovereign API's replies in the messages log. */
  apiRepliesRecorded?: number;
  /** The host's session to the sovereign API on 443 did not go through. */
  apiUnreachable?: boolean;
  /** The host's datagram to the sovereign API's UDP 443 reached it. */
  apiUdpReached?: boolean;
  /** The sovereign API did not record the harness's datagram. */
  apiControlLost?: boolean;
  omit?: string[];
};

/** The history a correct fence leaves; `change` breaks one piece of evidence at a time. */
function history(change: Change = {}): History {
  const h = new History();
  const observe = (name: string, data: unknown) => h.record('observation', name, data);
  const leaked = change.leaked ?? [];
  if (!change.omit?.includes('control'))
    observe(controlTraffic.name, {
      phase,
      from: 'observer-sovereign',
      source: observer,
      packets: [...controlPackets, apiUdpControl],
    });
  observe('connect-attempts', {
    phase,
    host: 'vm1',
    attempts: [
      { from: 'p', target: `${domestic}:443`, connected: true, detail: '', role: 'domestic' },
      {
        from: 'p',
        target: `${sovereignApi}:443`,
        connected: change.apiUnreachable !== true,
        detail: '',
        role: 'sovereign-api',
      },
      {
        from: 'p',
        target: `${sovereignApi}:8443`,
        connected: false,
        detail: 'no answer',
        role: 'sovereign-api-other-port',
      },
      ...controlPackets
        .filter((p) => p.proto === 'tcp')
        .map((p) => ({
          from: 'p',
          target: `${p.address}:${p.port}`,
          connected: leaked.includes(p),
          detail: '',
          role: 'foreign',
        })),
    ],
  });
  const answered = change.domesticDatagramsAnswered ?? true;
  observe(datagramAttempts.name, {
    phase,
    host: 'vm1',
    attempts: [
      datagram('domestic', 'udp', domestic, 514, answered),
      datagram('domestic', 'icmp', domestic, 0, answered),
      ...controlPackets
        .filter((p) => p.proto !== 'tcp')
        .map((p) =>
          datagram('foreign', p.proto as 'udp' | 'icmp', p.address, p.port, leaked.includes(p)),
        ),
      ...(change.fromPort53 === undefined
        ? []
        : [
            {
              ...datagram('foreign', 'udp', api.address, 53, false),
              sourcePort: 53,
              ...(change.fromPort53 === 'not-tried'
                ? {
                    notTried: true as const,
                    detail: 'not tried: the source port could not be taken',
                  }
                : {}),
            },
          ]),
    ],
  });
  if (!change.omit?.includes('endpoints'))
    for (const endpoint of [api, kms]) {
      const mine = (p: ControlPacket) => p.endpoint === endpoint.endpoint;
      observe('endpoint-record', {
        phase,
        endpoint: endpoint.endpoint,
        address: endpoint.address,
        fromWatched: [
          ...controlPackets
            .filter((p) => mine(p) && !(change.controlLost ?? []).includes(p))
            .map((p) => received(p, observer)),
          ...leaked.filter(mine).map((p) => received(p, host)),
        ],
        total: 0,
      });
    }
  observe('endpoint-record', {
    phase,
    endpoint: 'sovereign-api',
    address: sovereignApi,
    fromWatched: [
      { at: '', proto: 'tcp', port: 443, peer: host, peerPort: 1 },
      ...(change.apiControlLost === true ? [] : [received(apiUdpControl, observer)]),
      ...(change.apiUdpReached === true ? [received(apiUdpControl, host)] : []),
    ],
    total: 1,
  });
  const lines = [
    ...(change.controlAtExchange === false
      ? []
      : [`1.0 IP ${observer}.40000 > ${api.address}.443: Flags [S]`]),
    ...Array.from(
      { length: change.crossed ?? 0 },
      () => `2.0 IP ${host}.40001 > ${api.address}.53: UDP, length 20`,
    ),
  ];
  observe('exchange-capture', {
    phase,
    router: 'ixp',
    device: 'eth1',
    filter: 'src net 10.40.0.0/16',
    packets: lines.length,
    sources: packetSources(lines),
    lines,
    droppedByKernel: 0,
  });
  observe('kernel-ruleset', {
    phase,
    host: 'vm1',
    outputPolicy: 'DROP',
    inputPolicy: 'DROP',
    ruleCount: 20,
    text: '*filter\n:OUTPUT DROP [0:0]\nCOMMIT',
  });
  const unlogged = change.unlogged ?? [];
  observe('messages-log', {
    phase,
    host: 'vm1',
    present: true,
    lines: controlPackets
      .filter((p) => !unlogged.includes(p.proto) && !leaked.includes(p))
      .map((p) =>
        fenceLine(p.proto.toUpperCase(), p.address, p.proto === 'icmp' ? undefined : p.port),
      )
      .concat(
        change.fromPort53 === 'logged'
          ? [fenceLine('UDP', api.address, 53).replace('SPT=40000', 'SPT=53')]
          : [],
        Array.from(
          { length: change.apiRepliesRecorded ?? 0 },
          () =>
            `Dec  2 10:00:00 vm1 Martian Source IN=eth0 OUT= SRC=${sovereignApi} DST=${host} LEN=60 PROTO=TCP SPT=443 DPT=40000 `,
        ),
      ),
  });
  return h;
}

const verdicts = (h: History) => checkStatuses(egressChecks, h);
const packet = (proto: string, endpoint: string) => {
  const found = controlPackets.find((p) => p.proto === proto && p.endpoint === endpoint);
  if (found === undefined) throw new Error('no such packet');
  return found;
};

describe('egress checks', () => {
  it('pass on the evidence of a fence that lets nothing foreign out', async () => {
    expect(await verdicts(history())).toEqual({
      'domestic-and-sovereign-api-reachable': 'pass',
      'foreign-endpoints-receive-nothing': 'pass',
      'sovereign-api-only-on-443': 'pass',
      'sovereign-api-replies-not-martian': 'pass',
      'output-policy-drop': 'pass',
      'drops-logged-geographic-fence-error': 'pass',
    });
  });

  it('fail a UDP datagram or an echo request that reached a foreign listener, unlogged', async () => {
    for (const leak of [packet('udp', 'foreign-api'), packet('icmp', 'foreign-kms')]) {
      const v = await verdicts(history({ leaked: [leak], crossed: 1 }));
      expect(v['foreign-endpoints-receive-nothing']).toBe('fail');
      expect(v['drops-logged-geographic-fence-error']).toBe('fail');
      expect(v['output-policy-drop']).toBe('pass');
    }
  });

  it('fail a packet from the zone at the exchange that no listener recorded', async () => {
    expect((await verdicts(history({ crossed: 2 })))['foreign-endpoints-receive-nothing']).toBe(
      'fail',
    );
  });

  it('fail when the fence log misses the UDP or the ICMP drops', async () => {
    for (const proto of ['udp', 'icmp'])
      expect(
        (await verdicts(history({ unlogged: [proto] })))['drops-logged-geographic-fence-error'],
      ).toBe('fail');
  });

  it('fail an unlogged datagram from a service port, even when one from another port was logged', async () => {
    const check = async (fromPort53: Change['fromPort53']) =>
      (await verdicts(history({ fromPort53 })))['drops-logged-geographic-fence-error'];
    expect(await check('logged')).toBe('pass');
    expect(await check('unlogged')).toBe('fail');
    // A probe that could not take its source port tried nothing: no log line is owed for it.
    expect(await check('not-tried')).toBe('pass');
  });

  it('say unknown when a listener, the capture or the host probe missed its positive control', async () => {
    const cases: Change[] = [
      { controlLost: [packet('icmp', 'foreign-api')] },
      { controlLost: [packet('udp', 'foreign-kms')] },
      { controlAtExchange: false },
      { domesticDatagramsAnswered: false },
    ];
    for (const change of cases)
      expect((await verdicts(history(change)))['foreign-endpoints-receive-nothing']).toBe(
        'unknown',
      );
  });

  it('say unknown, never pass, when the run stopped before the evidence', async () => {
    expect(
      (await verdicts(history({ omit: ['control'] })))['foreign-endpoints-receive-nothing'],
    ).toBe('unknown');
    expect(
      (await verdicts(history({ omit: ['endpoints'] })))['foreign-endpoints-receive-nothing'],
    ).toBe('unknown');
    expect(await verdicts(new History())).toEqual(
      Object.fromEntries(egressChecks.map((c) => [c.name, 'unknown'])),
    );
  });
});

describe('sovereign-api-only-on-443', () => {
  const status = async (change: Change) =>
    (await verdicts(history(change)))['sovereign-api-only-on-443'];

  it("fails when the host's datagram reached the API's UDP 443 (a rule for both protocols)", async () => {
    expect(await status({ apiUdpReached: true })).toBe('fail');
  });

  it("is unknown when the API did not record the harness's own datagram", async () => {
    expect(await status({ apiControlLost: true })).toBe('unknown');
  });
});

describe('sovereign-api-replies-not-martian', () => {
  const status = async (change: Change) =>
    (await verdicts(history(change)))['sovereign-api-replies-not-martian'];

  it("fails when the API's replies are recorded as a foreign source", async () => {
    expect(await status({ apiRepliesRecorded: 2 })).toBe('fail');
  });

  it('is unknown when the session to the API never went through', async () => {
    expect(await status({ apiUnreachable: true })).toBe('unknown');
  });
});
