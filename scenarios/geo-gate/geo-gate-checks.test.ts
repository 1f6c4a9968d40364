import { describe, expect, it } from 'vitest';
import { canonicalGeoipDatabase, gateLimits, sha256Hex } from '../../harness/contract/geo-gate.ts';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import type { Handshake } from '../../sims/sovereign-api/handshake-log.ts';
import { geoGateChecks } from './geo-gate-checks.ts';
import { observed, type GateSessionObservation } from './geo-gate-evidence.ts';

const host = '10.43.0.6';
const foreignDestination = '10.83.0.250';
const clients = { sovereign: '10.43.0.2', exchange: '10.38.0.2', foreign: '10.83.0.2' };
const database = canonicalGeoipDatabase(['10.43.0.0/16'], 'DE');

function gateSession(
  zone: keyof typeof clients,
  destination: 'host' | 'foreign',
  ok: boolean,
): GateSessionObservation {
  const calledAddress = destination === 'host' ? host : foreignDestination;
  return {
    zone,
    clientAddress: clients[zone],
    calledAddress,
    destination,
    reached: { from: zone, target: `${calledAddress}:9443`, connected: true, detail: '' },
    ok,
    detail: ok ? '{"api":"api-backend"}' : 'curl: (35) reset',
    command: `curl ${calledAddress}`,
  };
}

function relayedSession(client: string, server: string): Handshake {
  return {
    outcome: 'accepted',
    client: host,
    relayedClient: client,
    relayedServer: server,
    port: 444,
    protocol: 'TLSv1.3',
    reason: '',
    line: `${client} -> ${server}`,
  };
}

type Change = {
  admitted?: (keyof typeof clients | 'foreign-destination')[];
  fenceLines?: string[];
  pin?: string;
  burstAdmitted?: number;
  queueWaiting?: number;
  omit?: string[];
};

/** The history a correct gate leaves; `change` breaks one piece of evidence at a time. */
function history(change: Change = {}): History {
  const h = new History();
  const admitted = change.admitted ?? ['sovereign'];
  const sessions = [
    gateSession('sovereign', 'host', admitted.includes('sovereign')),
    gateSession('exchange', 'host', admitted.includes('exchange')),
    gateSession('foreign', 'host', admitted.includes('foreign')),
    gateSession('sovereign', 'foreign', admitted.includes('foreign-destination')),
  ];
  for (const s of sessions) h.record('observation', observed.session.name, s);
  const relayed = sessions
    .filter((s) => s.ok)
    .map((s) => relayedSession(s.clientAddress, s.calledAddress));
  if (!change.omit?.includes('backend'))
    h.record('observation', observed.backend.name, {
      backend: 'api-backend',
      gateAddress: host,
      handshakes: relayed,
    });
  h.record('observation', observed.fenceLog.name, {
    lines: change.fenceLines ?? [
      `GEOGRAPHIC_FENCE_ERROR: gate client=${clients.exchange}:4000 dst=${host}:9443`,
      `GEOGRAPHIC_FENCE_ERROR: gate client=${clients.foreign}:4001 dst=${host}:9443`,
      `GEOGRAPHIC_FENCE_ERROR: gate client=${clients.sovereign}:4002 dst=${foreignDestination}:9443`,
    ],
  });
  h.record('observation', observed.databasePin.name, {
    expectedDatabase: database,
    expectedSha256: sha256Hex(database),
    pinLines: [`GEOIP_DATABASE sha256=${change.pin ?? sha256Hex(database)} entries=1`],
  });
  const wave = { attempted: 9872, connected: 9872, timedOut: 0, failures: {}, elapsedMs: 900 };
  if (!change.omit?.includes('burst'))
    h.record('observation', observed.burst.name, {
      openFileLimit: 20_000,
      sessionsWanted: 9872,
      heldBefore: 0,
      first: wave,
      admitted: change.burstAdmitted ?? 9872,
      second: { ...wave, attempted: 5000, connected: 4097, timedOut: 903 },
      queue: { waiting: change.queueWaiting ?? gateLimits.listenBacklog + 1, backlog: 4096 },
    });
  return h;
}

const verdicts = (h: History) => checkStatuses(geoGateChecks, h);

describe('geo-gate checks', () => {
  it('pass on the evidence of a gate that admits only domestic-to-domestic sessions', async () => {
    expect(await verdicts(history())).toEqual({
      'domestic-session-admitted': 'pass',
      'foreign-session-refused': 'pass',
      'foreign-destination-refused': 'pass',
      'fence-logged': 'pass',
      'geoip-database-pinned': 'pass',
      'gate-connection-limits': 'pass',
    });
  });

  it('fail a session to a foreign destination that reached the backend, and its missing fence line', async () => {
    const v = await verdicts(
      history({
        admitted: ['sovereign', 'foreign-destination'],
        fenceLines: [
          `GEOGRAPHIC_FENCE_ERROR: gate client=${clients.exchange}:4000`,
          `GEOGRAPHIC_FENCE_ERROR: gate client=${clients.foreign}:4001`,
        ],
      }),
    );
    expect(v['foreign-destination-refused']).toBe('fail');
    expect(v['fence-logged']).toBe('fail');
    expect(v['foreign-session-refused']).toBe('pass');
  });

  it('fail an exchange client let in, and a pin that is not the topology database', async () => {
    const v = await verdicts(
      history({ admitted: ['sovereign', 'exchange'], pin: 'ab'.repeat(32) }),
    );
    expect(v['foreign-session-refused']).toBe('fail');
    expect(v['geoip-database-pinned']).toBe('fail');
  });

  it('fail a gate that holds fewer sessions, or queues fewer connections, than the contract', async () => {
    expect((await verdicts(history({ burstAdmitted: 4096 })))['gate-connection-limits']).toBe(
      'fail',
    );
    expect((await verdicts(history({ queueWaiting: 1025 })))['gate-connection-limits']).toBe(
      'fail',
    );
  });

  it('say unknown when the backend did not record the admitted session (positive control)', async () => {
    const v = await verdicts(history({ admitted: [] }));
    expect(v['domestic-session-admitted']).toBe('fail');
    expect(v['foreign-destination-refused']).toBe('unknown');
  });

  it('say unknown, never pass, when the run stopped before the evidence', async () => {
    const v = await verdicts(history({ omit: ['backend', 'burst'] }));
    expect(v['foreign-session-refused']).toBe('unknown');
    expect(v['gate-connection-limits']).toBe('unknown');
    expect(await verdicts(new History())).toEqual(
      Object.fromEntries(geoGateChecks.map((c) => [c.name, 'unknown'])),
    );
  });
});
