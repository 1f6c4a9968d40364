import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { icmpEcho, udpSend } from '../../harness/checks/probes/datagram-probe.ts';
import { tcpConnect } from '../../harness/checks/probes/tcp-probe.ts';
import { closeSimLab, openSimLab, type SimLab } from '../../harness/testing/sim-lab.ts';
import { asEndpoint, endpointKind, endpointOptions, type StartedEndpoint } from './endpoint.ts';

describe('the endpoint simulator (records TCP, UDP and ICMP)', () => {
  let lab: SimLab;
  let endpoint: StartedEndpoint;

  beforeAll(async () => {
    lab = await openSimLab({
      name: 'endpoint',
      simImage: endpointKind.image,
      subnets: ['10.251.27.0/24', '10.251.28.0/24', '10.251.29.0/24'],
    });
    const options = endpointOptions.parse({ tcpPorts: [8443], udpPorts: [5353], icmp: true });
    endpoint = asEndpoint(
      await endpointKind.start({
        session: lab.session,
        image: lab.image,
        service: { name: 'ep1', kind: 'endpoint', zone: 'lab', legs: [], options },
        network: { name: lab.network.name, address: lab.address(3) },
        legs: [],
        links: [],
        addressOf: () => '',
        hosts: [],
      }),
    );
  });

  afterAll(async () => {
    await closeSimLab(lab);
  });

  it('records a connection, a datagram and an echo request with their sender', async () => {
    const observer = lab.address(2);
    expect((await tcpConnect(lab.observer, endpoint.address, 8443)).connected).toBe(true);
    expect((await udpSend(lab.observer, endpoint.address, 5353, 'hello')).answered).toBe(true);
    expect((await icmpEcho(lab.observer, endpoint.address)).answered).toBe(true);
    const seen = await endpoint.connectionsFrom([`${observer}/32`]);
    expect(seen.map((c) => [c.proto, c.port, c.icmpType])).toEqual(
      expect.arrayContaining([
        ['tcp', 8443, undefined],
        ['udp', 5353, undefined],
        ['icmp', 0, 8],
      ]),
    );
  });
});
