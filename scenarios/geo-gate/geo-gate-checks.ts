import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { withPositiveControl } from '../../harness/checks/positive-control.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { gateLimits } from '../../harness/contract/geo-gate.ts';
import type { History } from '../../harness/scenario/history.ts';
import type { Handshake } from '../../sims/sovereign-api/handshake-log.ts';
import { sovereignApiRelayPort } from '../../sims/sovereign-api/sovereign-api.ts';
import { observed, type GateSessionObservation } from './geo-gate-evidence.ts';

export const zones = { sovereign: 'sovereign', exchange: 'exchange', foreign: 'foreign' } as const;
/** Clients outside the jurisdiction: a foreign region, and the exchange next door. */
export const outsideZones = [zones.foreign, zones.exchange] as const;

function session(history: History, zone: string, destination: 'host' | 'foreign') {
  return lastObservation(
    history,
    observed.session,
    (d) => d.zone === zone && d.destination === destination,
  ).data;
}

/** Sessions the gate relayed to the backend for a client (and, when given, to the address it called). */
function relayed(history: History, client: string, calledAddress?: string): Handshake[] {
  const backend = lastObservation(history, observed.backend).data;
  return backend.handshakes.filter(
    (h) =>
      h.port === sovereignApiRelayPort &&
      h.relayedClient === client &&
      (calledAddress === undefined || h.relayedServer === calledAddress),
  );
}

/** An address as a whole word of a log line (10.83.0.2 is not 10.83.0.25). */
function names(line: string, address: string): boolean {
  return new RegExp(`(^|[^0-9.])${address.replace(/\./g, '\\.')}([^0-9]|$)`).test(line);
}

/** What must hold for a session the gate must refuse: it reached the gate, got nothing, relayed nothing. */
function refusalProblems(s: GateSessionObservation, atBackend: Handshake[]): string[] {
  const problems: string[] = [];
  if (!s.reached.connected)
    problems.push(
      `${s.clientAddress} never reached the gate at ${s.calledAddress} (${s.reached.detail}), so the gate's refusal is not what stopped it`,
    );
  if (s.ok) problems.push(`${s.clientAddress} got the backend's answer: ${s.detail}`);
  if (atBackend.length > 0)
    problems.push(
      `the backend saw ${atBackend.length} session(s) relayed for ${s.clientAddress} at ${s.calledAddress}`,
    );
  return problems;
}

function backendLog(lines: Handshake[], none: string) {
  return {
    source: 'backend nginx access log',
    excerpt: lines.map((h) => h.line).join('\n') || none,
  };
}

export const geoGateChecks: Check[] = [
  {
    name: 'domestic-session-admitted',
    description:
      "A session from a domestic address to the host passes the gate: the client gets the backend's answer and the backend sees the client, and the address it called, behind the gate",
    verify(history) {
      const s = session(history, zones.sovereign, 'host');
      const atBackend = relayed(history, s.clientAddress, s.calledAddress);
      return verdictOf(
        s.ok && atBackend.some((h) => h.outcome === 'accepted'),
        `${s.clientAddress} reached the backend through the gate at ${s.calledAddress}`,
        `the domestic session did not reach the backend`,
        {
          expected: `client: the backend's answer; backend: a session relayed for ${s.clientAddress} to ${s.calledAddress}`,
          observed: `client: ${s.ok ? 'answered' : 'failed'} (${s.detail}); backend: ${atBackend.length} relayed session(s)`,
          evidence: [{ source: s.command, excerpt: s.detail }, backendLog(atBackend, '(none)')],
        },
      );
    },
  },
  {
    name: 'foreign-session-refused',
    description: `Sessions from addresses outside the jurisdiction (${outsideZones.join(', ')}) reach the gate (TCP accepted) but never the backend: no answer, no relayed session`,
    verify(history) {
      const sessions = outsideZones.map((zone) => session(history, zone, 'host'));
      const problems = sessions.flatMap((s) =>
        refusalProblems(s, relayed(history, s.clientAddress)),
      );
      return verdictOf(
        problems.length === 0,
        `the gate refused ${sessions.map((s) => s.clientAddress).join(' and ')}; the backend never saw them`,
        problems.join('; '),
        {
          expected:
            'TCP to the gate accepted; no answer to the client; no session for it at the backend',
          observed: sessions
            .map(
              (s) =>
                `${s.zone} ${s.clientAddress}: TCP ${s.reached.connected ? 'accepted' : 'not accepted'}, ${s.ok ? 'ANSWERED' : `refused (${s.detail})`}, relayed ${relayed(history, s.clientAddress).length}`,
            )
            .join('; '),
          evidence: sessions.map((s) => ({ source: s.command, excerpt: s.detail })),
        },
      );
    },
  },
  {
    name: 'foreign-destination-refused',
    description:
      'A domestic client calling the gate at an address of the host outside every domestic CIDR is refused: the destination is foreign even though the source is not',
    verify(history) {
      const home = session(history, zones.sovereign, 'host');
      const away = session(history, zones.sovereign, 'foreign');
      const control = relayed(history, home.clientAddress, home.calledAddress);
      return withPositiveControl(
        {
          seen: control.length > 0,
          what: `the backend's record of the same client's admitted session to ${home.calledAddress} (with the address it called)`,
        },
        () => {
          const atBackend = relayed(history, away.clientAddress, away.calledAddress);
          const problems = refusalProblems(away, atBackend);
          return verdictOf(
            problems.length === 0,
            `the gate refused ${away.clientAddress} calling ${away.calledAddress}; the backend never saw it`,
            problems.join('; '),
            {
              expected: `TCP to ${away.calledAddress} accepted; no answer; no session relayed to ${away.calledAddress}`,
              observed: `TCP ${away.reached.connected ? 'accepted' : 'not accepted'}; client ${away.ok ? 'ANSWERED' : `refused (${away.detail})`}; relayed to ${away.calledAddress}: ${atBackend.length}`,
              evidence: [
                { source: away.command, excerpt: away.detail },
                backendLog(atBackend, `(none relayed to ${away.calledAddress})`),
              ],
            },
          );
        },
      );
    },
  },
  {
    name: 'fence-logged',
    description:
      'The stack logs each refused session with GEOGRAPHIC_FENCE_ERROR naming its foreign end: the foreign sources and the foreign destination (second witness)',
    verify(history) {
      const log = lastObservation(history, observed.fenceLog).data;
      const foreignEnds = [
        ...outsideZones.map((zone) => session(history, zone, 'host').clientAddress),
        session(history, zones.sovereign, 'foreign').calledAddress,
      ];
      const unnamed = foreignEnds.filter((a) => !log.lines.some((line) => names(line, a)));
      return verdictOf(
        unnamed.length === 0,
        `GEOGRAPHIC_FENCE_ERROR logged for ${foreignEnds.join(', ')}`,
        `no GEOGRAPHIC_FENCE_ERROR line names ${unnamed.join(', ')}`,
        {
          expected: `a GEOGRAPHIC_FENCE_ERROR line naming each of ${foreignEnds.join(', ')}`,
          observed: `${log.lines.length} fence line(s); unnamed: ${unnamed.join(', ') || 'none'}`,
          evidence: [
            {
              source: 'residency log on the VM disk (read by the harness)',
              excerpt: log.lines.slice(-4).join('\n') || '(none)',
            },
          ],
        },
      );
    },
  },
  {
    name: 'geoip-database-pinned',
    description:
      "The stack pins the GeoIP database the harness derives from its own topology (every sovereign zone's CIDRs, the host's jurisdiction), by its SHA-256 in the audit log (second witness of the database; the sessions are the first)",
    verify(history) {
      const o = lastObservation(history, observed.databasePin).data;
      const pinned = o.pinLines.map((l) => /sha256=([0-9a-f]{64})/.exec(l)?.[1] ?? '(unreadable)');
      const last = pinned[pinned.length - 1];
      return verdictOf(
        last === o.expectedSha256,
        `the audit log pins sha256=${o.expectedSha256.slice(0, 16)}..., the topology's database`,
        last === undefined
          ? 'the audit log pins no GeoIP database'
          : `the audit log pins sha256=${last}, not the topology's ${o.expectedSha256}`,
        {
          expected: `sha256=${o.expectedSha256} of:\n${o.expectedDatabase}`,
          observed: pinned.join(', ') || '(no pin)',
          evidence: [
            {
              source: 'residency audit log on the VM disk (read by the harness)',
              excerpt: o.pinLines.join('\n') || '(none)',
            },
          ],
        },
      );
    },
  },
  {
    name: 'gate-connection-limits',
    description: `Under a burst the gate holds ${gateLimits.concurrentSessions} sessions at once (or all this machine's open-file limit lets one process hold), counted at the backend, and then the kernel queues ${gateLimits.listenBacklog} more connections for it`,
    verify(history) {
      const o = lastObservation(history, observed.burst).data;
      const problems: string[] = [];
      if (o.admitted < o.sessionsWanted)
        problems.push(
          `the backend held ${o.admitted} of the ${o.sessionsWanted} sessions opened at once`,
        );
      const waiting = o.queue?.waiting ?? 0;
      if (waiting < gateLimits.listenBacklog)
        problems.push(
          `the gate's accept queue held at most ${waiting} connections (listen backlog ${o.queue?.backlog ?? '?'})`,
        );
      const capped =
        o.sessionsWanted < gateLimits.concurrentSessions
          ? ` (capped from ${gateLimits.concurrentSessions}: the engine's open-file limit is ${o.openFileLimit}, 2 per session)`
          : '';
      return verdictOf(
        problems.length === 0,
        `${o.admitted} sessions held at once${capped}, ${waiting} more queued`,
        problems.join('; '),
        {
          expected: `${o.sessionsWanted} sessions at the backend${capped}; at least ${gateLimits.listenBacklog} connections in the accept queue`,
          observed: `first wave: ${o.first.connected}/${o.first.attempted} connected in ${o.first.elapsedMs} ms, ${o.admitted} relayed; second wave: ${o.second.connected}/${o.second.attempted} connected, queue ${waiting}/${o.queue?.backlog ?? '?'}`,
          evidence: [
            {
              source: 'backend: ss -Htn state established (sport = :444); host namespace: ss -Hltn',
              excerpt: JSON.stringify({ first: o.first, second: o.second, queue: o.queue }),
            },
          ],
        },
      );
    },
  },
];
