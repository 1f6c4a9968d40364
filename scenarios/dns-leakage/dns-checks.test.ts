import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import type { ResolverQuery } from '../../sims/resolver/unbound-config.ts';
import { packetSources } from '../network-world/exchange-capture.ts';
import { dnsChecks, globalOnlyName, sovereignRecords } from './dns-checks.ts';
import {
  dnsControl,
  outageLookups,
  parseDig,
  type Lookup,
  type OutageLookups,
} from './dns-evidence.ts';

const host = '10.40.0.20';
const observer = '10.40.0.2';
const sovereign = '10.40.0.53';
const global = '10.80.0.53';
const controlName = 'sovh-control-abc.control.example';
const names = Object.keys(sovereignRecords);

const answer = (name: string, server: string): Lookup => ({
  name,
  status: 'NOERROR',
  answers: [server === sovereign ? (sovereignRecords[name] ?? '') : '10.80.66.10'],
  server,
});
const timeout = (name: string): Lookup => ({ name, status: 'TIMEOUT', answers: [], server: '' });
const query = (client: string, name: string): ResolverQuery => ({
  atSeconds: 1,
  client,
  name: `${name}.`,
  type: 'A',
});

type Change = {
  /** Queries of the host that reached the foreign resolver. */
  leakedToGlobal?: string[];
  /** DNS packets of the host at the exchange. */
  crossed?: number;
  controlLogged?: boolean;
  /** The TCP control query in the foreign resolver's log. */
  tcpControlLogged?: boolean;
  controlAtExchange?: boolean;
  resolvConf?: string;
  outage?: Partial<OutageLookups>;
  omit?: string[];
};

/** The history a correct stack leaves; `change` breaks one piece of evidence at a time. */
function history(change: Change = {}): History {
  const h = new History();
  const observe = (name: string, data: unknown) => h.record('observation', name, data);
  const lookedUp = [...names, globalOnlyName];
  observe('lookups', {
    host: 'vm1',
    lookups: lookedUp.map((name) =>
      sovereignRecords[name] === undefined
        ? { name, status: 'NXDOMAIN', answers: [], server: sovereign }
        : answer(name, sovereign),
    ),
    resolvConf: change.resolvConf ?? `nameserver ${sovereign}\noptions timeout:1 attempts:2\n`,
  });
  if (!change.omit?.includes('control'))
    observe(dnsControl.name, {
      from: 'observer-sovereign',
      source: observer,
      resolver: 'global-dns',
      name: controlName,
      lookup: { name: controlName, status: 'NXDOMAIN', answers: [], server: global },
      tcpName: `tcp-${controlName}`,
      tcpLookup: { name: `tcp-${controlName}`, status: 'NXDOMAIN', answers: [], server: global },
    });
  if (!change.omit?.includes('outage'))
    observe(outageLookups.name, {
      host: 'vm1',
      resolver: 'sovereign-dns',
      confirmDown: timeout('sovh-outage-abc.control.example'),
      lookups: names.map(timeout),
      libc: names.map((name) => ({ name, resolved: false, addresses: [] })),
      direct: timeout(names[0] ?? ''),
      directTcp: timeout(names[0] ?? ''),
      directServer: global,
      ...change.outage,
    } satisfies OutageLookups);
  observe('resolver-record', {
    resolver: 'sovereign-dns',
    address: sovereign,
    role: 'sovereign',
    fromZone: lookedUp.map((name) => query(host, name)),
  });
  observe('resolver-record', {
    resolver: 'global-dns',
    address: global,
    role: 'global',
    fromZone: [
      ...(change.controlLogged === false ? [] : [query(observer, controlName)]),
      ...(change.tcpControlLogged === false ? [] : [query(observer, `tcp-${controlName}`)]),
      ...(change.leakedToGlobal ?? []).map((name) => query(host, name)),
    ],
  });
  const lines = [
    ...(change.controlAtExchange === false
      ? []
      : [`1.0 IP ${observer}.40000 > ${global}.53: 1+ A? ${controlName}. (40)`]),
    ...Array.from(
      { length: change.crossed ?? 0 },
      () => `2.0 IP ${host}.40001 > ${global}.53: 2+ A? api.sovereign.example. (40)`,
    ),
  ];
  observe('exchange-capture', {
    router: 'ixp',
    device: 'eth1',
    filter: 'port 53 and src net 10.40.0.0/16',
    packets: lines.length,
    sources: packetSources(lines),
    lines,
    droppedByKernel: 0,
  });
  return h;
}

const verdicts = (h: History) => checkStatuses(dnsChecks, h);

describe('dns checks', () => {
  it('pass on the evidence of a stack that resolves through the sovereign resolver only', async () => {
    expect(await verdicts(history())).toEqual({
      'names-resolve-through-sovereign-resolver': 'pass',
      'foreign-resolver-receives-nothing': 'pass',
      'lookups-fail-closed-while-sovereign-down': 'pass',
      'resolv-conf-names-sovereign-only': 'pass',
    });
  });

  it('fail a fallback to the foreign resolver while the sovereign one is down', async () => {
    const name = names[0] ?? '';
    const v = await verdicts(
      history({
        leakedToGlobal: [name],
        crossed: 1,
        resolvConf: `nameserver ${sovereign}\nnameserver ${global}\n`,
        outage: {
          lookups: [answer(name, global)],
          libc: [{ name, resolved: true, addresses: ['10.80.66.10'] }],
        },
      }),
    );
    expect(v['foreign-resolver-receives-nothing']).toBe('fail');
    expect(v['lookups-fail-closed-while-sovereign-down']).toBe('fail');
    expect(v['resolv-conf-names-sovereign-only']).toBe('fail');
    expect(v['names-resolve-through-sovereign-resolver']).toBe('pass');
  });

  it('fail a query a program sent straight to the foreign resolver, answered through the fence', async () => {
    const name = names[0] ?? '';
    const v = await verdicts(
      history({ leakedToGlobal: [name], crossed: 2, outage: { direct: answer(name, global) } }),
    );
    expect(v['foreign-resolver-receives-nothing']).toBe('fail');
    expect(v['lookups-fail-closed-while-sovereign-down']).toBe('fail');
  });

  it('fail a query sent straight to the foreign resolver over TCP alone, the UDP one dropped', async () => {
    const name = names[0] ?? '';
    const v = await verdicts(
      history({ leakedToGlobal: [name], crossed: 6, outage: { directTcp: answer(name, global) } }),
    );
    expect(v['foreign-resolver-receives-nothing']).toBe('fail');
    expect(v['lookups-fail-closed-while-sovereign-down']).toBe('fail');
  });

  it('fail a DNS packet from the zone at the exchange that the foreign log does not show', async () => {
    expect((await verdicts(history({ crossed: 1 })))['foreign-resolver-receives-nothing']).toBe(
      'fail',
    );
  });

  it('say unknown when the log or the capture missed the control query, or the outage did not take', async () => {
    for (const change of [
      { controlLogged: false },
      { tcpControlLogged: false },
      { controlAtExchange: false },
    ])
      expect((await verdicts(history(change)))['foreign-resolver-receives-nothing']).toBe(
        'unknown',
      );
    const notDown = history({ outage: { confirmDown: answer(controlName, sovereign) } });
    expect((await verdicts(notDown))['lookups-fail-closed-while-sovereign-down']).toBe('unknown');
  });

  it('say unknown, never pass, when the run stopped before the evidence', async () => {
    const v = await verdicts(history({ omit: ['control', 'outage'] }));
    expect(v['foreign-resolver-receives-nothing']).toBe('unknown');
    expect(v['lookups-fail-closed-while-sovereign-down']).toBe('unknown');
    expect(await verdicts(new History())).toEqual(
      Object.fromEntries(dnsChecks.map((c) => [c.name, 'unknown'])),
    );
  });
});

describe('reading dig', () => {
  it('takes the status, the answering server and the A records', () => {
    const output = `;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1
;; ANSWER SECTION:
api.sovereign.example.	60	IN	A	10.40.200.10

;; SERVER: 10.40.0.53#53(10.40.0.53) (UDP)`;
    expect(parseDig('api.sovereign.example', output)).toEqual(
      answer('api.sovereign.example', sovereign),
    );
  });

  it('reads a server that answered over IPv6', () => {
    const output = `;; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 2

;; SERVER: fd5a:80::4#53(fd5a:80::4) (UDP)`;
    expect(parseDig('cdn.global.example', output)).toEqual({
      name: 'cdn.global.example',
      status: 'NXDOMAIN',
      answers: [],
      server: 'fd5a:80::4',
    });
  });

  it('reads no answer at all as TIMEOUT from nobody', () => {
    expect(parseDig('x.example', ';; communications error to 10.40.0.53#53: timed out\n')).toEqual(
      timeout('x.example'),
    );
  });
});
