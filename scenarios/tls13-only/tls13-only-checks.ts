import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { withPositiveControl } from '../../harness/checks/positive-control.ts';
import { verdictOf, type Evidence } from '../../harness/checks/verdict.ts';
import type { History } from '../../harness/scenario/history.ts';
import { logMarkers } from '../../harness/contract/log-markers.ts';
import type { Handshake } from '../../sims/sovereign-api/handshake-log.ts';
import {
  observed,
  type EndpointHandshakesObservation,
  type StackCallObservation,
} from './tls13-only-evidence.ts';

export const endpoints = {
  /** Offers only TLS 1.2. */
  legacy: 'api-tls12',
  /** Offers only TLS 1.3. */
  modern: 'api-tls13',
  /** TLS 1.3, with a certificate from an authority the site file does not name. */
  untrusted: 'api-untrusted',
  /** TLS 1.3, with a certificate of the named authority for another name and address. */
  wrongName: 'api-wrong-name',
  /** Offers only TLS 1.2 and resets every second connection: a client that retries, retries here. */
  flaky: 'api-flaky',
} as const;
export const phases = {
  policy: 'policy',
  capped: 'capped',
  skewed: 'skewed',
  broken: 'broken',
} as const;

function handshakesSeen(history: History, endpoint: string, phase: string) {
  return lastObservation(
    history,
    observed.handshakes,
    (d) => d.endpoint === endpoint && d.phase === phase,
  ).data;
}

function stackCalls(history: History, endpoint: string, phase: string): StackCallObservation[] {
  const calls = history
    .observations<StackCallObservation>(observed.stackCall.name)
    .map((e) => e.data)
    .filter((d) => d.endpoint === endpoint && d.phase === phase);
  // The last one read through lastObservation, so that a missing call is "unknown", not a pass.
  lastObservation(history, observed.stackCall, (d) => d.endpoint === endpoint && d.phase === phase);
  return calls;
}

function fromHost(seen: EndpointHandshakesObservation): Handshake[] {
  return seen.handshakes.filter((h) => h.client === seen.hostAddress);
}

function fromObserver(seen: EndpointHandshakesObservation): Handshake[] {
  return seen.handshakes.filter((h) => h.client === seen.observerAddress);
}

function describeHandshakes(list: Handshake[]): string {
  if (list.length === 0) return 'none';
  return list
    .map((h) => (h.outcome === 'accepted' ? `accepted ${h.protocol}` : `refused (${h.reason})`))
    .join(', ');
}

function describeCall(call: StackCallObservation): string {
  if (call.result === undefined) return `exit ${call.exitCode}, ${call.problem ?? 'no answer'}`;
  const outcome = call.result.ok
    ? `ok over ${call.result.protocol ?? '?'}`
    : (call.result.error ?? 'failed');
  return `exit ${call.exitCode}: ${outcome}`;
}

function callSucceeded(call: StackCallObservation): boolean {
  return call.exitCode === 0 || call.result?.ok === true;
}

function isPolicyRefusal(call: StackCallObservation): boolean {
  return call.result?.error?.startsWith(`${logMarkers.tlsPolicyRefusal}:`) === true;
}

/** The residency log's policy refusals that name the endpoint (not merely a longer name). */
function refusalLinesNaming(history: History, endpoint: string): string[] {
  const { lines } = lastObservation(
    history,
    observed.policyRefusals,
    (d) => d.phase === phases.policy,
  ).data;
  const naming = new RegExp(`(^|[^\\w-])${endpoint}($|[^\\w-])`);
  return lines.filter((line) => naming.test(line.slice(line.indexOf(logMarkers.tlsPolicyRefusal))));
}

function endpointLog(endpoint: string, seen: EndpointHandshakesObservation): Evidence {
  return {
    source: `${endpoint} nginx logs (access and error)`,
    excerpt:
      fromHost(seen)
        .map((h) => h.line)
        .join('\n') || '(no line from the host)',
  };
}

/**
 * The stack must make no session with an endpoint: the endpoint saw the host try (so the client
 * really reached it), accepted no handshake from it and served it no request; the stack's client
 * says it failed, and says why as the contract words it: the answer's error and a residency-log
 * line are a `TLS_POLICY_REFUSAL` (a client that takes a version alert for a broken connection
 * retries it and reports `CONNECT_FAILED`, leaving an operator to hunt a network fault). Behind a
 * positive control: the same log shows the harness's own request.
 */
function refusesEndpoint(options: {
  name: string;
  description: string;
  endpoint: string;
  why: string;
}): Check {
  const { endpoint } = options;
  return {
    name: options.name,
    description: options.description,
    verify(history) {
      const seen = handshakesSeen(history, endpoint, phases.policy);
      const calls = stackCalls(history, endpoint, phases.policy);
      const control = fromObserver(seen).some((h) => h.outcome === 'accepted');
      return withPositiveControl(
        {
          seen: control,
          what: `a request the harness sent ${endpoint} from ${seen.observerAddress}`,
        },
        () => {
          const hostHandshakes = fromHost(seen);
          const accepted = hostHandshakes.filter((h) => h.outcome === 'accepted');
          const problems: string[] = [];
          if (accepted.length > 0)
            problems.push(
              `${endpoint} served ${accepted.length} request(s) from the host ${seen.hostAddress} over ${accepted.map((h) => h.protocol).join(', ')}`,
            );
          if (hostHandshakes.length === 0)
            problems.push(
              `${endpoint} saw no handshake attempt from the host ${seen.hostAddress} (did the client try at all?)`,
            );
          const succeeded = calls.filter(callSucceeded);
          if (succeeded.length > 0)
            problems.push(
              `the stack's client reported success: ${succeeded.map(describeCall).join('; ')}`,
            );
          const unnamed = calls.filter((call) => !callSucceeded(call) && !isPolicyRefusal(call));
          if (unnamed.length > 0)
            problems.push(
              `the stack's client failed without naming a ${logMarkers.tlsPolicyRefusal}: ${unnamed.map(describeCall).join('; ')}`,
            );
          const logged = refusalLinesNaming(history, endpoint);
          if (logged.length === 0)
            problems.push(
              `the residency log has no ${logMarkers.tlsPolicyRefusal} line naming ${endpoint}`,
            );
          return verdictOf(
            problems.length === 0,
            `the host tried ${endpoint}, made no session with it (${options.why}) and logged the policy refusal`,
            problems.join('; '),
            {
              expected: `at ${endpoint}: the host's handshakes refused, no request served; the client fails with ${logMarkers.tlsPolicyRefusal}, logged naming ${endpoint}`,
              observed: `at ${endpoint} from ${seen.hostAddress}: ${describeHandshakes(hostHandshakes)}; client ${calls.map(describeCall).join('; ')}`,
              evidence: [
                endpointLog(endpoint, seen),
                ...calls.map((c) => ({ source: c.command, excerpt: c.output })),
                {
                  source: 'residency log on the VM disk (read by the harness)',
                  excerpt:
                    logged.join('\n') ||
                    `(no ${logMarkers.tlsPolicyRefusal} line naming ${endpoint})`,
                },
              ],
            },
          );
        },
      );
    },
  };
}

/**
 * A boot under a runtime that cannot hold the policy: the stack names TLS_RUNTIME_MISMATCH, its
 * store does not answer, and the modern endpoint sees no new session from the host (counted from
 * the handshakes it had seen by the end of phase `after`), nor does the stack's client say one.
 */
function runtimeMismatchFailsClosed(options: {
  name: string;
  description: string;
  boot: typeof observed.cappedBoot;
  phase: string;
  after: string;
  runtime: string;
}): Check {
  return {
    name: options.name,
    description: options.description,
    verify(history) {
      const boot = lastObservation(history, options.boot).data;
      const before = handshakesSeen(history, endpoints.modern, options.after);
      const after = handshakesSeen(history, endpoints.modern, options.phase);
      const calls = stackCalls(history, endpoints.modern, options.phase);
      const newFromHost = fromHost(after).slice(fromHost(before).length);
      const problems: string[] = [];
      if (boot.store.connected) problems.push(`the store answered at ${boot.store.target}`);
      if (newFromHost.some((h) => h.outcome === 'accepted'))
        problems.push(`${endpoints.modern} accepted a session from the host`);
      const succeeded = calls.filter(callSucceeded);
      if (succeeded.length > 0)
        problems.push(
          `the stack's client reported success: ${succeeded.map(describeCall).join('; ')}`,
        );
      if (boot.mismatchLines.length === 0)
        problems.push('the residency log does not name TLS_RUNTIME_MISMATCH');
      return verdictOf(
        problems.length === 0,
        `${options.runtime} was named and the host stayed closed`,
        problems.join('; '),
        {
          expected:
            'store not answering, no new session at the endpoint, TLS_RUNTIME_MISMATCH logged',
          observed: `store ${boot.store.connected ? 'ANSWERING' : 'not answering'}; new handshakes from the host at ${endpoints.modern}: ${describeHandshakes(newFromHost)}; client ${calls.map(describeCall).join('; ')}`,
          evidence: [
            {
              source: 'tcp probe from the zone observer',
              excerpt: `${boot.store.target}: ${boot.store.detail}`,
            },
            {
              source: 'residency log on the VM disk (read by the harness)',
              excerpt: boot.mismatchLines.join('\n') || '(no TLS_RUNTIME_MISMATCH line)',
            },
          ],
        },
      );
    },
  };
}

export const tls13OnlyChecks: Check[] = [
  refusesEndpoint({
    name: 'refuses-tls12-endpoint',
    description: `The stack's client makes no session with ${endpoints.legacy}, which offers only TLS 1.2: the endpoint saw its attempt and served it nothing`,
    endpoint: endpoints.legacy,
    why: 'it offers only TLS 1.2',
  }),
  refusesEndpoint({
    name: 'refuses-untrusted-certificate',
    description: `The stack's client makes no session with ${endpoints.untrusted}, whose certificate comes from an authority the site file names only for another entry (${endpoints.untrusted}-standby), not for this one: the endpoint served it nothing`,
    endpoint: endpoints.untrusted,
    why: "its certificate is from an authority the site file names for another entry, not this one's",
  }),
  refusesEndpoint({
    name: 'refuses-wrong-name-certificate',
    description: `The stack's client makes no session with ${endpoints.wrongName}, whose certificate is from the named authority but for another name and address: the endpoint served it nothing`,
    endpoint: endpoints.wrongName,
    why: 'its certificate names another endpoint',
  }),
  refusesEndpoint({
    name: 'no-downgrade-on-retry',
    description: `Through a path that resets every second connection, the stack's client still makes no session below TLS 1.3 with ${endpoints.flaky} (TLS 1.2 only), whatever it retries`,
    endpoint: endpoints.flaky,
    why: 'it offers only TLS 1.2, also to a retry',
  }),
  {
    name: 'connects-tls13-endpoint',
    description: `The stack's client connects to ${endpoints.modern} over TLS 1.3, as the endpoint saw it`,
    verify(history) {
      const seen = handshakesSeen(history, endpoints.modern, phases.policy);
      const [call] = stackCalls(history, endpoints.modern, phases.policy).slice(-1);
      const hostHandshakes = fromHost(seen);
      const ok =
        hostHandshakes.some((h) => h.outcome === 'accepted' && h.protocol === 'TLSv1.3') &&
        call?.result?.ok === true &&
        call.result.protocol === 'TLSv1.3';
      return verdictOf(
        ok,
        `${endpoints.modern} accepted a TLS 1.3 session from the host`,
        `no TLS 1.3 session between the host and ${endpoints.modern}`,
        {
          expected: `at ${endpoints.modern}: an accepted TLSv1.3 handshake from ${seen.hostAddress}; the client answers ok over TLSv1.3`,
          observed: `at ${endpoints.modern} from ${seen.hostAddress}: ${describeHandshakes(hostHandshakes)}; client ${call === undefined ? '(no call)' : describeCall(call)}`,
          evidence: [
            endpointLog(endpoints.modern, seen),
            ...(call === undefined ? [] : [{ source: call.command, excerpt: call.output }]),
          ],
        },
      );
    },
  },
  runtimeMismatchFailsClosed({
    name: 'tls-runtime-mismatch-fails-closed',
    description:
      'Under a system crypto policy that caps TLS at 1.2, the stack names TLS_RUNTIME_MISMATCH, does not serve, and opens no session to a sovereign API',
    boot: observed.cappedBoot,
    phase: phases.capped,
    after: phases.policy,
    runtime: 'the capped runtime',
  }),
  runtimeMismatchFailsClosed({
    name: 'tls-runtime-skew-fails-closed',
    description:
      'With an installed openssl that reports another patch release than the library the client links, the stack names TLS_RUNTIME_MISMATCH, does not serve, and opens no session to a sovereign API',
    boot: observed.skewedBoot,
    phase: phases.skewed,
    after: phases.capped,
    runtime: 'the skewed runtime',
  }),
  runtimeMismatchFailsClosed({
    name: 'tls-runtime-unreadable-fails-closed',
    description:
      "With an openssl command that fails whatever it is asked (so the installed OpenSSL's version cannot be read), the stack names TLS_RUNTIME_MISMATCH, does not serve, and opens no session to a sovereign API",
    boot: observed.brokenBoot,
    phase: phases.broken,
    after: phases.skewed,
    runtime: 'the unreadable runtime',
  }),
];
