import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { withPositiveControl } from '../../harness/checks/positive-control.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { logMarkers } from '../../harness/contract/log-markers.ts';
import { unwatchedBoot } from './unwatched-boot.ts';

/**
 * The contract: "the store does not start until rules.active lists the rule (AUDIT_WATCH_INACTIVE
 * after 30 s)". Every run's audit daemon loaded the rule within a second, so a stack that read its
 * own rules file back for the active list, or never waited, served writes no audit watched.
 */
export const storeWaitsForActiveWatch: Check = {
  name: 'store-waits-for-active-watch',
  description:
    "On a host whose audit rule the machine's audit daemon never loads, the store never accepts a connection (probed from the zone every 0.5 s until a few seconds after the stack names the problem), and the residency log says AUDIT_WATCH_INACTIVE",
  verify(history) {
    const o = lastObservation(history, unwatchedBoot).data;
    return withPositiveControl(
      {
        seen: o.kernelRules.length === 0 && o.looks.length > 0,
        what: `the audit daemon holding no rule for ${o.host} in the kernel (it holds: ${o.kernelRules.join('; ') || 'none'}) and answered probes of its store (${o.looks.length})`,
      },
      () => {
        const open = o.looks.filter((look) => look.connected);
        const problems = [
          ...(open.length > 0
            ? [
                `the store accepted ${open.length} of ${o.looks.length} connections with no audit watch active`,
              ]
            : []),
          ...(o.inactiveLines.length === 0
            ? [`the residency log has no ${logMarkers.auditWatchInactive} line`]
            : []),
        ];
        const span =
          o.looks.length === 0
            ? ''
            : ` over ${(o.looks.at(-1)?.atMs ?? 0) - (o.looks[0]?.atMs ?? 0)} ms`;
        return verdictOf(
          problems.length === 0,
          `${o.host}'s store stayed closed for all ${o.looks.length} probes${span}, and the stack said ${logMarkers.auditWatchInactive}`,
          problems.join('; '),
          {
            expected: `no connection accepted; ${logMarkers.auditWatchInactive} in the residency log`,
            observed: `${open.length} of ${o.looks.length} probes accepted; ${o.inactiveLines.length} ${logMarkers.auditWatchInactive} line(s)`,
            evidence: [
              {
                source: 'tcp probes of the store from the zone observer',
                excerpt: (open.length > 0 ? open : o.looks.slice(-3))
                  .slice(0, 5)
                  .map((look) => `${new Date(look.atMs).toISOString()} ${look.detail}`)
                  .join('\n'),
              },
              {
                source: 'residency log on the VM disk (read by the harness)',
                excerpt: o.inactiveLines.join('\n') || '(none)',
              },
            ],
          },
        );
      },
    );
  },
};
