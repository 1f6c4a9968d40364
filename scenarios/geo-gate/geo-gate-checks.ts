import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import type { History } from '../../harness/scenario/history.ts';
import type { Handshake } from '../../sims/sovereign-api/handshake-log.ts';
import { sovereignApiRelayPort } from '../../sims/sovereign-api/sovereign-api.ts';
import type {
  BackendSessionsObservation,
  FenceLogObservation,
  GateConfigurationObservation,
  GateSessionObservation,
} from './geo-gate-evidence.ts';

export const zones = { sovereign: 'sovereign', foreign: 'foreign' } as const;

function session(history: History, zone: string) {
  return lastObservation<GateSessionObservation>(history, 'gate-session', (d) => d.zone === zone)
    .data;
}

function relayedFrom(history: History, client: string): Handshake[] {
  const backend = lastObservation<BackendSessionsObservation>(history, 'backend-sessions').data;
  return backend.handshakes.filter(
    (h) => h.port === sovereignApiRelayPort && h.relayedClient === client,
  );
}

export const geoGateChecks: Check[] = [
  {
    name: 'domestic-session-admitted',
    description:
      "A session from a domestic address passes the gate: the client gets the backend's answer and the backend sees the client behind the gate",
    verify(history) {
      const s = session(history, zones.sovereign);
      const atBackend = relayedFrom(history, s.clientAddress);
      return verdictOf(
        s.ok && atBackend.some((h) => h.outcome === 'accepted'),
        `${s.clientAddress} reached the backend through the gate`,
        `the domestic session did not reach the backend`,
        {
          expected: `client: the backend's answer; backend: a session relayed for ${s.clientAddress}`,
          observed: `client: ${s.ok ? 'answered' : 'failed'} (${s.detail}); backend: ${atBackend.length} relayed session(s) for ${s.clientAddress}`,
          evidence: [
            { source: s.command, excerpt: s.detail },
            {
              source: 'backend nginx access log',
              excerpt: atBackend.map((h) => h.line).join('\n') || '(none)',
            },
          ],
        },
      );
    },
  },
  {
    name: 'foreign-session-refused',
    description:
      'A session from a foreign address reaches the gate (TCP accepted) but never the backend: the client gets no answer and the backend sees no session for it',
    verify(history) {
      const s = session(history, zones.foreign);
      const atBackend = relayedFrom(history, s.clientAddress);
      const problems: string[] = [];
      if (!s.reached.connected)
        problems.push(
          `the foreign client never reached the gate (${s.reached.detail}), so the gate's refusal is not what stopped it`,
        );
      if (s.ok) problems.push(`the foreign client got the backend's answer: ${s.detail}`);
      if (atBackend.length > 0)
        problems.push(
          `the backend saw ${atBackend.length} session(s) relayed for ${s.clientAddress}`,
        );
      return verdictOf(
        problems.length === 0,
        `the gate refused ${s.clientAddress} and the backend never saw it`,
        problems.join('; '),
        {
          expected: `TCP to the gate accepted; no answer to the client; no session for ${s.clientAddress} at the backend`,
          observed: `TCP ${s.reached.connected ? 'accepted' : 'not accepted'}; client ${s.ok ? 'ANSWERED' : `refused (${s.detail})`}; backend sessions for it: ${atBackend.length}`,
          evidence: [
            { source: s.command, excerpt: s.detail },
            {
              source: 'backend nginx access log',
              excerpt: atBackend.map((h) => h.line).join('\n') || '(none for the foreign client)',
            },
          ],
        },
      );
    },
  },
  {
    name: 'fence-logged',
    description:
      'The stack logs the refused session with GEOGRAPHIC_FENCE_ERROR and the foreign address (second witness)',
    verify(history) {
      const s = session(history, zones.foreign);
      const log = lastObservation<FenceLogObservation>(history, 'fence-log').data;
      const naming = log.lines.filter((l) => l.includes(`client=${s.clientAddress}:`));
      return verdictOf(
        naming.length > 0,
        'GEOGRAPHIC_FENCE_ERROR logged for the foreign session',
        `no GEOGRAPHIC_FENCE_ERROR line names ${s.clientAddress}`,
        {
          expected: `a GEOGRAPHIC_FENCE_ERROR line with client=${s.clientAddress}`,
          observed: `${naming.length} such line(s), ${log.lines.length} fence line(s) in all`,
          evidence: [
            {
              source: '/var/lib/residency/log/residency.log',
              excerpt: log.lines.slice(-3).join('\n') || '(none)',
            },
          ],
        },
      );
    },
  },
  {
    name: 'geoip-database-pinned',
    description:
      'The database HAProxy loaded is the one the site file calls for, byte for byte, under a name that pins its SHA-256',
    verify(history) {
      const o = lastObservation<GateConfigurationObservation>(history, 'gate-configuration').data;
      const problems: string[] = [];
      if (o.loadedMaps.length === 0) problems.push('HAProxy has no map loaded');
      else if (!o.loadedMaps.every((m) => m.endsWith(`geoip-${o.expectedSha256}.map`)))
        problems.push(
          `HAProxy loaded ${o.loadedMaps.join(', ')}, not geoip-${o.expectedSha256}.map`,
        );
      if (o.loadedSha256 !== o.expectedSha256)
        problems.push(`the loaded map's SHA-256 is ${o.loadedSha256 ?? '(unread)'}`);
      return verdictOf(
        problems.length === 0,
        `HAProxy runs the pinned database sha256=${o.expectedSha256.slice(0, 16)}...`,
        problems.join('; '),
        {
          expected: `${o.expectedSha256}:\n${o.expectedDatabase}`,
          observed: `${o.loadedSha256 ?? '(none)'}:\n${o.loadedContent ?? ''}`,
          evidence: [{ source: 'HAProxy stats socket: show map', excerpt: o.showMap }],
        },
      );
    },
  },
  {
    name: 'gate-connection-limits',
    description:
      "HAProxy runs with maxconn 10240 (the equivalent of worker_connections 10240) and the host's somaxconn is 4096",
    verify(history) {
      const o = lastObservation<GateConfigurationObservation>(history, 'gate-configuration').data;
      return verdictOf(
        o.maxconn === 10_240 && o.somaxconn === 4096,
        'maxconn 10240 and somaxconn 4096',
        "the gate's connection limits differ from the manual's",
        {
          expected: 'Maxconn: 10240; net.core.somaxconn = 4096',
          observed: `Maxconn: ${o.maxconn ?? '?'}; net.core.somaxconn = ${o.somaxconn ?? '?'}`,
          evidence: [
            {
              source: 'HAProxy stats socket: show info; /proc/sys/net/core/somaxconn in the host',
              excerpt: `${o.maxconn ?? '?'} / ${o.somaxconn ?? '?'}`,
            },
          ],
        },
      );
    },
  },
];
