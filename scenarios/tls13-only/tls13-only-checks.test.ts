import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import type { Handshake } from '../../sims/sovereign-api/handshake-log.ts';
import { endpoints, phases, tls13OnlyChecks } from './tls13-only-checks.ts';
import { observed, type StackCallObservation } from './tls13-only-evidence.ts';

const hostAddress = '10.41.0.5';
const observerAddress = '10.41.0.2';

function handshake(client: string, outcome: Handshake['outcome'], protocol = ''): Handshake {
  return {
    outcome,
    client,
    relayedClient: '',
    relayedServer: '',
    port: 443,
    protocol: outcome === 'accepted' ? protocol : '',
    reason: outcome === 'refused' ? 'unsupported protocol' : '',
    line: `${outcome} ${client} ${protocol}`,
  };
}

function call(
  endpoint: string,
  phase: string,
  ok: boolean,
  protocol?: string,
  error = 'TLS_POLICY_REFUSAL: x',
): StackCallObservation {
  return {
    phase,
    endpoint,
    operation: 'call-sovereign-api',
    host: 'vm1',
    command: `call ${endpoint}`,
    exitCode: ok ? 0 : 1,
    result: ok ? { ok, protocol, status: 200 } : { ok, error },
    output: '',
  };
}

type Change = {
  /** Handshakes from the host per endpoint, replacing a correct stack's. */
  host?: Partial<Record<string, Handshake[]>>;
  /** Endpoints whose log lost the harness's own request. */
  controlLost?: string[];
  calls?: Partial<Record<string, boolean>>;
  cappedStoreAnswers?: boolean;
  /** The boot with a skewed openssl serves (a version check that lets a patch release by). */
  skewedStoreAnswers?: boolean;
  /** The boot with a failing openssl serves (a version check with nothing to compare passes). */
  brokenStoreAnswers?: boolean;
  omit?: string[];
  /** Endpoints whose failed call ends in this error instead of a policy refusal. */
  callErrors?: Partial<Record<string, string>>;
  /** Endpoints the residency log names no policy refusal for. */
  unlogged?: string[];
  /** The run stopped before the residency log was read. */
  logUnread?: boolean;
};

/** The history a correct stack leaves; `change` breaks one piece of evidence at a time. */
function history(change: Change = {}): History {
  const h = new History();
  const refusing: string[] = [
    endpoints.legacy,
    endpoints.untrusted,
    endpoints.wrongName,
    endpoints.flaky,
  ];
  for (const endpoint of Object.values(endpoints)) {
    if (change.omit?.includes(endpoint)) continue;
    const correct =
      endpoint === endpoints.modern
        ? [handshake(hostAddress, 'accepted', 'TLSv1.3')]
        : [handshake(hostAddress, 'refused')];
    const control = change.controlLost?.includes(endpoint)
      ? []
      : [handshake(observerAddress, 'accepted', 'TLSv1.3')];
    const ok = change.calls?.[endpoint] ?? !refusing.includes(endpoint);
    h.record(
      'observation',
      observed.stackCall.name,
      call(endpoint, phases.policy, ok, ok ? 'TLSv1.3' : undefined, change.callErrors?.[endpoint]),
    );
    h.record('observation', observed.handshakes.name, {
      phase: phases.policy,
      endpoint,
      hostAddress,
      observerAddress,
      handshakes: [...control, ...(change.host?.[endpoint] ?? correct)],
    });
  }
  if (change.logUnread !== true)
    h.record('observation', observed.policyRefusals.name, {
      phase: phases.policy,
      lines: refusing
        .filter((endpoint) => !change.unlogged?.includes(endpoint))
        // A longer name that contains the endpoint's must not count for it.
        .flatMap((endpoint) => [
          `2026-12-06 TLS_POLICY_REFUSAL: ${endpoint} (10.41.0.9:443) refused: x`,
          `2026-12-06 TLS_POLICY_REFUSAL: ${endpoint}-standby (10.41.0.10:443) refused: x`,
        ])
        .filter((line) => !change.unlogged?.some((e) => line.includes(` ${e} (`))),
    });
  h.record('observation', observed.cappedBoot.name, {
    store: {
      from: 'observer',
      target: `${hostAddress}:8443`,
      connected: change.cappedStoreAnswers === true,
      detail: '',
    },
    mismatchLines: change.cappedStoreAnswers === true ? [] : ['TLS_RUNTIME_MISMATCH: capped'],
  });
  h.record('observation', observed.stackCall.name, call(endpoints.modern, phases.capped, false));
  h.record('observation', observed.handshakes.name, {
    phase: phases.capped,
    endpoint: endpoints.modern,
    hostAddress,
    observerAddress,
    handshakes: [handshake(hostAddress, 'accepted', 'TLSv1.3')],
  });
  let earlierSessions = 1;
  for (const [phase, key, serves] of [
    [phases.skewed, observed.skewedBoot, change.skewedStoreAnswers === true],
    [phases.broken, observed.brokenBoot, change.brokenStoreAnswers === true],
  ] as const) {
    h.record('observation', key.name, {
      store: { from: 'observer', target: `${hostAddress}:8443`, connected: serves, detail: '' },
      mismatchLines: serves ? [] : [`TLS_RUNTIME_MISMATCH: ${phase}`],
    });
    h.record(
      'observation',
      observed.stackCall.name,
      call(endpoints.modern, phase, serves, serves ? 'TLSv1.3' : undefined),
    );
    if (serves) earlierSessions += 1;
    h.record('observation', observed.handshakes.name, {
      phase,
      endpoint: endpoints.modern,
      hostAddress,
      observerAddress,
      handshakes: Array.from({ length: earlierSessions }, () =>
        handshake(hostAddress, 'accepted', 'TLSv1.3'),
      ),
    });
  }
  return h;
}

const verdicts = (h: History) => checkStatuses(tls13OnlyChecks, h);

describe('tls13-only checks', () => {
  it('pass on the evidence of a stack that holds its TLS policy', async () => {
    expect(await verdicts(history())).toEqual({
      'refuses-tls12-endpoint': 'pass',
      'refuses-untrusted-certificate': 'pass',
      'refuses-wrong-name-certificate': 'pass',
      'no-downgrade-on-retry': 'pass',
      'connects-tls13-endpoint': 'pass',
      'tls-runtime-mismatch-fails-closed': 'pass',
      'tls-runtime-skew-fails-closed': 'pass',
      'tls-runtime-unreadable-fails-closed': 'pass',
    });
  });

  it('fail a host that serves with an installed openssl of another patch release', async () => {
    const v = await verdicts(history({ skewedStoreAnswers: true }));
    expect(v['tls-runtime-skew-fails-closed']).toBe('fail');
    expect(v['tls-runtime-mismatch-fails-closed']).toBe('pass');
  });

  it('fail a host that serves with an openssl command that fails, and only that check', async () => {
    const v = await verdicts(history({ brokenStoreAnswers: true }));
    expect(v['tls-runtime-unreadable-fails-closed']).toBe('fail');
    expect(v['tls-runtime-skew-fails-closed']).toBe('pass');
  });

  it('fail a session the endpoint served, whatever the client said', async () => {
    const served = [
      handshake(hostAddress, 'refused'),
      handshake(hostAddress, 'accepted', 'TLSv1.3'),
    ];
    const v = await verdicts(
      history({ host: { [endpoints.wrongName]: served, [endpoints.flaky]: served } }),
    );
    expect(v['refuses-wrong-name-certificate']).toBe('fail');
    expect(v['no-downgrade-on-retry']).toBe('fail');
    expect(v['refuses-untrusted-certificate']).toBe('pass');
  });

  it('fail a client that never reached the endpoint, and one that says it succeeded', async () => {
    const v = await verdicts(
      history({ host: { [endpoints.untrusted]: [] }, calls: { [endpoints.legacy]: true } }),
    );
    expect(v['refuses-untrusted-certificate']).toBe('fail');
    expect(v['refuses-tls12-endpoint']).toBe('fail');
  });

  it('fail a TLS 1.3 session the client does not report, and a capped host that serves', async () => {
    const v = await verdicts(
      history({ calls: { [endpoints.modern]: false }, cappedStoreAnswers: true }),
    );
    expect(v['connects-tls13-endpoint']).toBe('fail');
    expect(v['tls-runtime-mismatch-fails-closed']).toBe('fail');
  });

  it('fail a refusal the client calls a connect failure, or that the residency log does not name', async () => {
    const v = await verdicts(
      history({
        callErrors: { [endpoints.legacy]: 'CONNECT_FAILED: [SSL] unsupported protocol' },
        unlogged: [endpoints.flaky, endpoints.untrusted],
      }),
    );
    expect(v['refuses-tls12-endpoint']).toBe('fail');
    expect(v['no-downgrade-on-retry']).toBe('fail');
    expect(v['refuses-untrusted-certificate']).toBe('fail');
    expect(v['refuses-wrong-name-certificate']).toBe('pass');
    expect((await verdicts(history({ logUnread: true })))['refuses-tls12-endpoint']).toBe(
      'unknown',
    );
  });

  it('say unknown when the endpoint did not log the harness own request', async () => {
    const v = await verdicts(history({ controlLost: [endpoints.untrusted] }));
    expect(v['refuses-untrusted-certificate']).toBe('unknown');
  });

  it('say unknown, never pass, when the run stopped before the evidence', async () => {
    const v = await verdicts(history({ omit: [endpoints.flaky, endpoints.legacy] }));
    expect(v['no-downgrade-on-retry']).toBe('unknown');
    expect(v['refuses-tls12-endpoint']).toBe('unknown');
    expect(await verdicts(new History())).toEqual(
      Object.fromEntries(tls13OnlyChecks.map((c) => [c.name, 'unknown'])),
    );
  });
});
