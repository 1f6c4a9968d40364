import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { unknown, verdictOf } from '../../harness/checks/verdict.ts';
import { hostPorts } from '../../harness/contract/host-ports.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import type { ProxyHeaderCounts } from '../../sims/sovereign-api/proxy-header-counts.ts';
import { asSovereignApi, sovereignApiRelayPort } from '../../sims/sovereign-api/sovereign-api.ts';
import { observed } from './geo-gate-evidence.ts';

/** The backend's PROXY header counts: after the harness's own headers, and after the sessions. */
export interface ProxyHeadersObservation extends ProxyHeaderCounts {
  backend: string;
  after: 'control' | 'sessions';
}
export const proxyHeaders = observationKey<ProxyHeadersObservation>('backend-proxy-headers');

/**
 * One connection with a v1 header and one with a v2 header, each header in a single write, from
 * the zone's observer to the backend's relay port; then closed, before any TLS. Documentation
 * addresses (RFC 5737) in the headers: the backend relays nothing anywhere.
 */
const controlScript = `
import socket, sys
address, port = sys.argv[1], int(sys.argv[2])
client, server = socket.inet_aton("192.0.2.10"), socket.inet_aton("192.0.2.20")
ports = (40000).to_bytes(2, "big") + port.to_bytes(2, "big")
v1 = b"PROXY TCP4 192.0.2.10 192.0.2.20 40000 %d\\r\\n" % port
v2 = b"\\r\\n\\r\\n\\x00\\r\\nQUIT\\n" + bytes([0x21, 0x11, 0, 12]) + client + server + ports
for header in (v1, v2):
    with socket.create_connection((address, port), timeout=5) as connection:
        connection.sendall(header)
`;

/**
 * The positive control: the harness sends the backend one header of each version itself and
 * reads its counts, so that the counts are shown, in this run, to see both versions.
 */
export async function observeProxyControl(context: ScenarioContext, zone: string, backend: string) {
  const api = asSovereignApi(context.world.sim(backend));
  await context.world
    .observer(zone)
    .run(['python3', '-c', controlScript, api.address, String(sovereignApiRelayPort)], {
      timeoutMs: 20_000,
    });
  return context.observe(proxyHeaders, {
    backend,
    after: 'control',
    ...(await api.proxyHeaders()),
  });
}

/** The backend's counts once the gate has relayed the harness's sessions. */
export async function observeRelayedProxyHeaders(context: ScenarioContext, backend: string) {
  const counts = await asSovereignApi(context.world.sim(backend)).proxyHeaders();
  return context.observe(proxyHeaders, { backend, after: 'sessions', ...counts });
}

/**
 * The gate relays admitted sessions to the backend with the PROXY protocol v2, as the contract
 * says (a one-word `send-proxy` for `send-proxy-v2` sends v1, which a v2-only backend refuses):
 * from the control's counts to the sessions', at least one v2 header per admitted session and no
 * v1 header at all.
 */
export const gateRelaysProxyV2Check: Check = {
  name: 'gate-relays-proxy-v2',
  description: `The gate (port ${hostPorts.geoGate}) relays each admitted session to the backend with a PROXY protocol v2 header and never a v1 header, as the backend's own firewall counted them, after the harness's own v1 and v2 headers were seen there`,
  verify(history) {
    const control = lastObservation(history, proxyHeaders, (d) => d.after === 'control').data;
    const relayed = lastObservation(history, proxyHeaders, (d) => d.after === 'sessions').data;
    if (control.v1 < 1 || control.v2 < 1)
      return unknown(
        `the backend's counts did not see the harness's own headers (v1 ${control.v1}, v2 ${control.v2}): they cannot tell what the gate sent`,
      );
    const admitted = history.observations(observed.session).filter((e) => e.data.ok).length;
    // domestic-session-admitted judges a gate that admits nothing; nothing relayed tells no version.
    if (admitted === 0) return unknown('the gate admitted no session, so it relayed no header');
    const v1 = relayed.v1 - control.v1;
    const v2 = relayed.v2 - control.v2;
    const problems: string[] = [];
    if (v1 > 0) problems.push(`${v1} relayed packet(s) opened with a PROXY v1 header`);
    if (v2 < admitted)
      problems.push(`${v2} PROXY v2 header(s) for ${admitted} admitted session(s)`);
    return verdictOf(
      problems.length === 0,
      `${v2} PROXY v2 header(s) and no v1 for ${admitted} admitted session(s)`,
      problems.join('; '),
      {
        expected: `at ${relayed.backend}'s relay port, from the gate: ≥ ${admitted} v2 header(s), 0 v1`,
        observed: `from the gate: v2 ${v2}, v1 ${v1} (the harness's own: v2 ${control.v2}, v1 ${control.v1})`,
        evidence: [
          {
            source: `iptables counters on ${relayed.backend} (read by the harness)`,
            excerpt: `after the control: v1 ${control.v1}, v2 ${control.v2}; after the sessions: v1 ${relayed.v1}, v2 ${relayed.v2}`,
          },
        ],
      },
    );
  },
};
