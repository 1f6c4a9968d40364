import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { withPositiveControl } from '../../harness/checks/positive-control.ts';
import type { TcpProbe } from '../../harness/checks/probes/tcp-probe.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { logMarkers } from '../../harness/contract/log-markers.ts';
import { foreignBackendBoot } from './foreign-backend.ts';

/** A probe the host answered: accepted, or refused by its kernel (not a silent drop). */
function answered(probe: TcpProbe): boolean {
  return probe.connected || /refused/i.test(probe.detail);
}

/**
 * The contract: "Backends outside domesticCidrs ... refuse the boot with GEOGRAPHIC_FENCE_ERROR".
 * No other host of any scenario had one, so a gate that only warns about it ("the site file is
 * the operator's word") relayed domestic sessions abroad and passed.
 */
export const foreignBackendRefusesBoot: Check = {
  name: 'foreign-backend-refuses-boot',
  description: `A host whose site file puts a backend outside the domestic CIDRs behind its gate refuses the boot: its store and gate ports refuse connections from its zone, a session through its gate gets no answer, the backend's own log shows no session relayed by the host, and the residency log names the backend with ${logMarkers.geographicFence}`,
  verify(history) {
    const o = lastObservation(history, foreignBackendBoot).data;
    return withPositiveControl(
      {
        seen: answered(o.store) && answered(o.gate),
        what: `answers from ${o.host}'s address for its store and gate ports (store: ${o.store.detail}; gate: ${o.gate.detail}), so that closed ports are the host's and not a lost path`,
      },
      () => {
        const problems = [
          ...(o.store.connected ? [`the store accepted a connection (${o.store.target})`] : []),
          ...(o.gate.connected ? [`the gate accepted a connection (${o.gate.target})`] : []),
          ...(o.session.ok
            ? [`a session through the gate got an answer: ${o.session.detail}`]
            : []),
          ...(o.relayedByHost.length > 0
            ? [`${o.backend} served ${o.relayedByHost.length} session(s) relayed by ${o.host}`]
            : []),
          ...(o.fenceLines.length === 0
            ? [`the residency log has no ${logMarkers.geographicFence} line naming ${o.backend}`]
            : []),
        ];
        return verdictOf(
          problems.length === 0,
          `${o.host} refused the boot over ${o.backend}: store and gate closed, nothing relayed, ${logMarkers.geographicFence} logged`,
          problems.join('; '),
          {
            expected: `store and gate refused, no session relayed to ${o.backend}, ${logMarkers.geographicFence} naming it`,
            observed: `store: ${o.store.detail}; gate: ${o.gate.detail}; session: ${o.session.ok ? 'answered' : o.session.detail}; relayed to ${o.backend}: ${o.relayedByHost.length}; fence lines: ${o.fenceLines.length}`,
            evidence: [
              {
                source: `${o.backend}'s own handshake log`,
                excerpt: o.relayedByHost.map((h) => h.line).join('\n') || '(nothing from the host)',
              },
              {
                source: 'residency log on the VM disk (read by the harness)',
                excerpt: o.fenceLines.join('\n') || '(none)',
              },
            ],
          },
        );
      },
    );
  },
};
