import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tlsRequest, type TlsVersion } from '../../harness/checks/probes/tls-probe.ts';
import type { StartedContainer } from '../../harness/runtime/started-container.ts';
import type { PlacedHost } from '../../harness/topology/topology-validator.ts';
import { closeSimLab, openSimLab, type SimLab } from '../../harness/testing/sim-lab.ts';
import {
  asSovereignApi,
  sovereignApiKind,
  sovereignApiOptions,
  sovereignApiPort,
  sovereignApiStandbyPort,
  type StartedSovereignApi,
} from './sovereign-api.ts';

/**
 * The endpoint offers exactly what a scenario configured: these are properties of the simulator,
 * proven here once, so that scenarios judge only the stack.
 */
describe('the sovereign-api simulator (nginx)', () => {
  let lab: SimLab;
  let observer: StartedContainer;
  const endpoints = new Map<string, StartedSovereignApi>();

  async function start(name: string, offset: number, options: Record<string, unknown>) {
    const started = await sovereignApiKind.start({
      session: lab.session,
      image: lab.image,
      service: {
        name,
        kind: 'sovereign-api',
        zone: 'lab',
        legs: [],
        options: sovereignApiOptions.parse(options),
      },
      network: { name: lab.network.name, address: lab.address(offset) },
    });
    endpoints.set(name, asSovereignApi(started));
  }

  const endpoint = (name: string): StartedSovereignApi => {
    const found = endpoints.get(name);
    if (found === undefined) throw new Error(`no endpoint ${name} in the lab`);
    return found;
  };

  const request = (name: string, offered: TlsVersion, insecure = false) => {
    const api = endpoint(name);
    return tlsRequest(
      observer,
      { address: api.address, port: sovereignApiPort, caCertificate: api.caCertificate, insecure },
      offered,
    );
  };

  beforeAll(async () => {
    lab = await openSimLab({
      name: 'sovereign-api',
      simImage: sovereignApiKind.image,
      subnets: ['10.251.31.0/24', '10.251.32.0/24', '10.251.33.0/24'],
    });
    observer = lab.observer;
    await Promise.all([
      start('api-tls12', 3, { tlsVersions: ['TLSv1.2'] }),
      start('api-tls13', 4, { tlsVersions: ['TLSv1.3'] }),
      start('api-untrusted', 5, { certificate: 'untrusted' }),
      start('api-wrong-name', 6, { certificate: 'wrong-name' }),
      start('api-flaky', 7, { tlsVersions: ['TLSv1.2'], flakyConnects: true }),
      start('api-another-entry', 8, { certificate: 'another-entry' }),
    ]);
  });

  afterAll(async () => {
    await closeSimLab(lab);
  });

  it('offers exactly the TLS versions it was configured with, and logs both outcomes', async () => {
    const outcomes = {
      tls12: [
        (await request('api-tls12', 'TLSv1.2')).ok,
        (await request('api-tls12', 'TLSv1.3')).ok,
      ],
      tls13: [
        (await request('api-tls13', 'TLSv1.2')).ok,
        (await request('api-tls13', 'TLSv1.3')).ok,
      ],
    };
    expect(outcomes).toEqual({ tls12: [true, false], tls13: [false, true] });
    const seen = await endpoint('api-tls12').handshakes();
    const fromObserver = seen.filter((h) => h.client === lab.address(2));
    expect(fromObserver.map((h) => [h.outcome, h.protocol])).toEqual(
      expect.arrayContaining([
        ['accepted', 'TLSv1.2'],
        ['refused', ''],
      ]),
    );
  });

  it('presents a certificate the published authority does not vouch for, or for another name', async () => {
    for (const name of ['api-untrusted', 'api-wrong-name']) {
      const verified = await request(name, 'TLSv1.3');
      expect(verified.ok, `${name}: ${verified.detail}`).toBe(false);
      expect(verified.detail, name).toMatch(/certificate|SSL/i);
      // Without verification the request goes through and the endpoint logs it: its log would
      // show a client that did not check.
      const unverified = await request(name, 'TLSv1.3', true);
      expect(unverified.ok, `${name}: ${unverified.detail}`).toBe(true);
      const accepted = (await endpoint(name).handshakes()).filter(
        (h) => h.outcome === 'accepted' && h.client === lab.address(2),
      );
      expect(accepted).toHaveLength(1);
    }
    const trusted = await request('api-tls13', 'TLSv1.3');
    expect(trusted.ok, trusted.detail).toBe(true);
  });

  it('signs with an authority the site file names only for its standby entry', async () => {
    const api = endpoint('api-another-entry');
    const section = api.siteSection({ zone: api.zone } as PlacedHost) as {
      sovereignApis: { name: string; address: string; port: number; caCertificate: string }[];
    };
    expect(section.sovereignApis.map((e) => [e.name, e.address, e.port])).toEqual([
      ['api-another-entry', api.address, sovereignApiPort],
      ['api-another-entry-standby', api.address, sovereignApiStandbyPort],
    ]);
    const [own, standby] = section.sovereignApis.map((e) => e.caCertificate);
    expect(standby).not.toBe(own);
    const underOwn = await request('api-another-entry', 'TLSv1.3');
    expect(underOwn.ok, underOwn.detail).toBe(false);
    expect(underOwn.detail).toMatch(/certificate|SSL/i);
    const underStandby = await tlsRequest(
      observer,
      { address: api.address, port: sovereignApiPort, caCertificate: standby ?? '' },
      'TLSv1.3',
    );
    expect(underStandby.ok, underStandby.detail).toBe(true);
  });

  it('resets every second connection when flaky, and serves the others', async () => {
    const outcomes = [];
    for (let i = 0; i < 4; i++) outcomes.push(await request('api-flaky', 'TLSv1.2'));
    const reset = outcomes.filter((o) => !o.ok && /connect|reset/i.test(o.detail));
    expect(reset, outcomes.map((o) => o.detail).join('; ')).toHaveLength(2);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(2);
  });

  it('counts the connections a peer holds on its relay port', async () => {
    const api = endpoint('api-tls13');
    expect(await api.relayedConnectionsFrom(lab.address(2))).toBe(0);
    await observer.run([
      'bash',
      '-c',
      `(exec 3<>/dev/tcp/${api.address}/444; sleep 20) >/dev/null 2>&1 &`,
    ]);
    await expect
      .poll(() => api.relayedConnectionsFrom(lab.address(2)), { timeout: 10_000 })
      .toBe(1);
  });
});
