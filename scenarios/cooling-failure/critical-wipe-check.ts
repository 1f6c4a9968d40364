import type { ContractBound } from '../../harness/contract/contract-bounds.ts';
import { lastObservation, MissingEvidence, type Check } from '../../harness/checks/check.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { boundValue } from '../../harness/scenario/scenario-bounds.ts';
import { heldWhileServing, hostListeners, scans } from '../power-thermal/power-checks.ts';
import { sovereignPorts } from '../power-thermal/power-observations.ts';
import type { CrossingObservation } from '../power-thermal/thermal-checks.ts';
import { configuredCriticalPhase } from './critical-checks.ts';

/** The memory scans of cooling-failure: while the host serves, and once the action is due. */
export const wipeScanPhases = {
  serving: 'before-critical',
  due: 'after-critical',
} as const;

/**
 * The thermal critical action is the whole graceful residency shutdown, not only a stop of the
 * services: once the action is due (the bound after the model's CPU reached the site's limit), no
 * key the harness learnt from outside is in any process of the host, and no service of the host
 * listens. The critical checks see the store stop from the zone; a watch that stops the services
 * but skips the wipe passed them with the data key still in memory.
 */
export function keysWipedAtCritical(name: string, bound: ContractBound): Check {
  return {
    name,
    description: `Within the critical-action bound (contract: ${bound.contract} ms) of the CPU reaching the site's critical limit, the graceful residency shutdown has run whole: no byte string of any key the harness learnt from outside is in any process of the host (/proc/PID/mem, scanned from outside), and no service of the host listens`,
    verify(history) {
      const boundMs = boundValue(history, bound);
      const crossing = lastObservation<CrossingObservation>(
        history,
        'thermal-crossing',
        (d) => d.phase === configuredCriticalPhase,
      ).data;
      if (crossing.crossingWallMs === undefined)
        throw new MissingEvidence(
          'thermal-crossing',
          `the model's ${crossing.sensor} never reached the configured ${crossing.thresholdC} C`,
        );
      const ports = lastObservation(history, sovereignPorts).data.ports;
      const serving = scans(history, wipeScanPhases.serving).at(-1);
      const held = heldWhileServing(history);
      const unseenKeys = held.filter((label) => !(serving?.foundInMemory ?? []).includes(label));
      const listeningBefore = new Set(
        serving === undefined ? [] : hostListeners(serving, ports).map((k) => k.port),
      );
      const unseenPorts = ports.filter((port) => !listeningBefore.has(port));
      if (serving === undefined || unseenKeys.length > 0 || unseenPorts.length > 0)
        throw new MissingEvidence(
          'memory-scan',
          `the scan while the host served did not see ${[...unseenKeys, ...unseenPorts.map((p) => `port ${p}`)].join(', ') || 'anything'}: a clean scan later would prove nothing`,
        );
      const dueMs = crossing.crossingWallMs + boundMs;
      const after = scans(history, wipeScanPhases.due).find((s) => s.startedAtMs >= dueMs);
      if (after === undefined)
        throw new MissingEvidence(
          'memory-scan',
          `no scan of the host from ${new Date(dueMs).toISOString()} on, when the action was due`,
        );
      const listening = hostListeners(after, ports);
      const at = `${after.startedAtMs - crossing.crossingWallMs} ms after the CPU reached ${crossing.thresholdC} C`;
      const observed = `keys in memory: ${after.foundInMemory.join(', ') || 'none'}; listening: ${listening.map((k) => `${k.proto} ${k.port}`).join(', ') || 'none'} (${at})`;
      return verdictOf(
        after.foundInMemory.length === 0 && listening.length === 0,
        `no key in memory and no service listening ${at} (before: ${held.join(', ')} and ports ${ports.join(', ')})`,
        `the critical action left ${[
          ...(after.foundInMemory.length > 0
            ? [`${after.foundInMemory.join(', ')} in memory`]
            : []),
          ...(listening.length > 0
            ? [`${listening.map((k) => `${k.proto} ${k.port}`).join(', ')} listening`]
            : []),
        ].join(' and ')} ${at}`,
        {
          expected: `no key in any process and no listener of the host from ${boundMs} ms after the crossing on`,
          observed,
          evidence: [
            {
              source: "memory and sockets of the host's processes, scanned from outside",
              excerpt: after.processes
                .filter((p) => p.hits.length > 0)
                .map((p) => `pid ${p.pid} ${p.command}: ${p.hits.map((h) => h.label).join(', ')}`)
                .join('\n'),
            },
          ],
        },
      );
    },
  };
}
