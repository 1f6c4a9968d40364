import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import type { History } from '../../harness/scenario/history.ts';
import type { Handshake } from '../../sims/sovereign-api/handshake-log.ts';
import type {
  CappedPolicyObservation,
  EndpointHandshakesObservation,
  ObserverHandshakeObservation,
  StackCallObservation,
} from './tls13-only-evidence.ts';

export const endpoints = { legacy: 'api-tls12', modern: 'api-tls13' } as const;
export const phases = { policy: 'policy', capped: 'capped' } as const;

function handshakesSeen(history: History, endpoint: string, phase: string) {
  return lastObservation<EndpointHandshakesObservation>(
    history,
    'endpoint-handshakes',
    (d) => d.endpoint === endpoint && d.phase === phase,
  ).data;
}

function stackCall(history: History, endpoint: string, phase: string) {
  return lastObservation<StackCallObservation>(
    history,
    'stack-call',
    (d) => d.endpoint === endpoint && d.phase === phase,
  ).data;
}

function fromHost(seen: EndpointHandshakesObservation): Handshake[] {
  return seen.handshakes.filter((h) => h.client === seen.hostAddress);
}

function describeHandshakes(list: Handshake[]): string {
  if (list.length === 0) return 'none';
  return list
    .map((h) => (h.outcome === 'accepted' ? `accepted ${h.protocol}` : `refused (${h.reason})`))
    .join(', ');
}

function describeCall(call: StackCallObservation): string {
  return call.result === undefined
    ? `exit ${call.exitCode}, no JSON answer: ${call.output}`
    : `exit ${call.exitCode}: ${call.result.ok === true ? `ok over ${call.result.protocol ?? '?'}` : (call.result.error ?? 'failed')}`;
}

export const tls13OnlyChecks: Check[] = [
  {
    name: 'endpoints-offer-as-configured',
    description: `Seen from the zone observer and in the endpoints' logs: ${endpoints.legacy} accepts TLS 1.2 and refuses 1.3, ${endpoints.modern} accepts 1.3 and refuses 1.2`,
    verify(history) {
      const probes = history
        .observations<ObserverHandshakeObservation>('observer-handshake')
        .map((e) => e.data);
      const expected: [string, string, boolean][] = [
        [endpoints.legacy, 'TLSv1.2', true],
        [endpoints.legacy, 'TLSv1.3', false],
        [endpoints.modern, 'TLSv1.3', true],
        [endpoints.modern, 'TLSv1.2', false],
      ];
      const problems: string[] = [];
      for (const [endpoint, offered, accepts] of expected) {
        const probe = probes.find((p) => p.endpoint === endpoint && p.offered === offered);
        if (probe === undefined) {
          problems.push(`no probe of ${endpoint} with ${offered}`);
          continue;
        }
        if (probe.ok !== accepts)
          problems.push(
            `${endpoint} ${probe.ok ? 'accepted' : 'refused'} ${offered} from the observer (${probe.detail})`,
          );
      }
      for (const endpoint of [endpoints.legacy, endpoints.modern]) {
        const seen = handshakesSeen(history, endpoint, phases.policy);
        const fromObserver = seen.handshakes.filter((h) => h.client === seen.observerAddress);
        const wantAccepted = endpoint === endpoints.legacy ? 'TLSv1.2' : 'TLSv1.3';
        if (!fromObserver.some((h) => h.outcome === 'accepted' && h.protocol === wantAccepted)) {
          problems.push(
            `${endpoint}'s log has no ${wantAccepted} handshake accepted from the observer`,
          );
        }
        if (!fromObserver.some((h) => h.outcome === 'refused'))
          problems.push(`${endpoint}'s log has no refused handshake from the observer`);
      }
      return verdictOf(
        problems.length === 0,
        'each endpoint offers exactly the version it was configured with',
        problems.join('; '),
        {
          expected: `${endpoints.legacy}: TLS 1.2 only; ${endpoints.modern}: TLS 1.3 only`,
          observed: probes
            .map((p) => `${p.endpoint} ${p.offered}: ${p.ok ? 'accepted' : 'refused'}`)
            .join('; '),
          evidence: probes.map((p) => ({ source: p.command, excerpt: p.detail })),
        },
      );
    },
  },
  {
    name: 'refuses-tls12-endpoint',
    description: `The stack's client does not connect to ${endpoints.legacy}, which offers only TLS 1.2: the endpoint saw its attempt and accepted no handshake from the host`,
    verify(history) {
      const seen = handshakesSeen(history, endpoints.legacy, phases.policy);
      const call = stackCall(history, endpoints.legacy, phases.policy);
      const hostHandshakes = fromHost(seen);
      const accepted = hostHandshakes.filter((h) => h.outcome === 'accepted');
      const problems: string[] = [];
      if (accepted.length > 0)
        problems.push(
          `${endpoints.legacy} accepted ${accepted.map((h) => h.protocol).join(', ')} from the host ${seen.hostAddress}`,
        );
      if (hostHandshakes.length === 0)
        problems.push(
          `${endpoints.legacy} saw no handshake attempt from the host ${seen.hostAddress} (did the client try at all?)`,
        );
      if (call.result?.ok === true || call.exitCode === 0)
        problems.push(`the stack's client reported success: ${describeCall(call)}`);
      return verdictOf(
        problems.length === 0,
        `the host offered nothing below TLS 1.3 and ${endpoints.legacy} refused it`,
        problems.join('; '),
        {
          expected: `at ${endpoints.legacy}: refused handshakes from ${seen.hostAddress}, none accepted; the client fails`,
          observed: `at ${endpoints.legacy} from ${seen.hostAddress}: ${describeHandshakes(hostHandshakes)}; client ${describeCall(call)}`,
          evidence: [
            {
              source: `${endpoints.legacy} nginx logs`,
              excerpt: hostHandshakes.map((h) => h.line).join('\n') || '(no line from the host)',
            },
            { source: `residency-api call ${endpoints.legacy}`, excerpt: call.output },
          ],
        },
      );
    },
  },
  {
    name: 'connects-tls13-endpoint',
    description: `The stack's client connects to ${endpoints.modern} over TLS 1.3, as the endpoint saw it`,
    verify(history) {
      const seen = handshakesSeen(history, endpoints.modern, phases.policy);
      const call = stackCall(history, endpoints.modern, phases.policy);
      const hostHandshakes = fromHost(seen);
      const ok =
        hostHandshakes.some((h) => h.outcome === 'accepted' && h.protocol === 'TLSv1.3') &&
        call.result?.ok === true &&
        call.result.protocol === 'TLSv1.3';
      return verdictOf(
        ok,
        `${endpoints.modern} accepted a TLS 1.3 session from the host`,
        `no TLS 1.3 session between the host and ${endpoints.modern}`,
        {
          expected: `at ${endpoints.modern}: an accepted TLSv1.3 handshake from ${seen.hostAddress}; the client answers ok over TLSv1.3`,
          observed: `at ${endpoints.modern} from ${seen.hostAddress}: ${describeHandshakes(hostHandshakes)}; client ${describeCall(call)}`,
          evidence: [
            {
              source: `${endpoints.modern} nginx logs`,
              excerpt: hostHandshakes.map((h) => h.line).join('\n') || '(no line from the host)',
            },
            { source: `residency-api call ${endpoints.modern}`, excerpt: call.output },
          ],
        },
      );
    },
  },
  {
    name: 'tls-runtime-mismatch-fails-closed',
    description:
      'Under a system crypto policy that caps TLS at 1.2, the stack names TLS_RUNTIME_MISMATCH, does not serve, and opens no session to a sovereign API',
    verify(history) {
      const boot = lastObservation<CappedPolicyObservation>(history, 'capped-policy-boot').data;
      const before = handshakesSeen(history, endpoints.modern, phases.policy);
      const after = handshakesSeen(history, endpoints.modern, phases.capped);
      const call = stackCall(history, endpoints.modern, phases.capped);
      const newFromHost = fromHost(after).slice(fromHost(before).length);
      const problems: string[] = [];
      if (boot.store.connected) problems.push(`the store answered at ${boot.store.target}`);
      if (newFromHost.some((h) => h.outcome === 'accepted'))
        problems.push(`${endpoints.modern} accepted a session from the host`);
      if (call.result?.ok === true)
        problems.push(`the stack's client reported success: ${describeCall(call)}`);
      if (boot.mismatchLines.length === 0)
        problems.push('the residency log does not name TLS_RUNTIME_MISMATCH');
      return verdictOf(
        problems.length === 0,
        'the capped runtime was named and the host stayed closed',
        problems.join('; '),
        {
          expected:
            'store not answering, no new session at the endpoint, TLS_RUNTIME_MISMATCH logged',
          observed: `store ${boot.store.connected ? 'ANSWERING' : 'not answering'}; new handshakes from the host at ${endpoints.modern}: ${describeHandshakes(newFromHost)}; client ${describeCall(call)}`,
          evidence: [
            {
              source: 'tcp probe from the zone observer',
              excerpt: `${boot.store.target}: ${boot.store.detail}`,
            },
            {
              source: '/var/lib/residency/log/residency.log',
              excerpt: boot.mismatchLines.join('\n') || '(no TLS_RUNTIME_MISMATCH line)',
            },
          ],
        },
      );
    },
  },
];
