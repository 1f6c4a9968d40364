import type { ContractBound } from '../../harness/contract/contract-bounds.ts';
import { lastObservation, MissingEvidence, type Check } from '../../harness/checks/check.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import type { History } from '../../harness/scenario/history.ts';
import { boundValue } from '../../harness/scenario/scenario-bounds.ts';
import { heldWhileServing, hostListeners, scans } from './power-checks.ts';
import { sovereignPorts } from './power-observations.ts';

/** The moment a graceful residency shutdown became owed, read from the harness's own evidence. */
export interface ShutdownOwed {
  atMs: number;
  /** What happened then, as a verdict names it: "the CPU reached 80 C". */
  what: string;
}

/**
 * A graceful residency shutdown that ran whole: once it is due (the bound after what made it
 * owed), no key the harness learnt from outside is in any process of the host, and no service of
 * the host listens. A stop seen from the zone does not show it: a stack that stops the services
 * but skips the wipe keeps the data key in memory. Behind a positive control: a scan while the
 * host served saw every key it holds then and every service port.
 */
export function keysWipedOnceDue(options: {
  name: string;
  description: string;
  bound: ContractBound;
  phases: { serving: string; due: string };
  /** When the shutdown became owed; throws MissingEvidence when the trigger is not on record. */
  owedFrom: (history: History) => ShutdownOwed;
}): Check {
  const { bound, phases } = options;
  return {
    name: options.name,
    description: options.description,
    verify(history) {
      const boundMs = boundValue(history, bound);
      const owed = options.owedFrom(history);
      const ports = lastObservation(history, sovereignPorts).data.ports;
      const serving = scans(history, phases.serving).at(-1);
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
      const dueMs = owed.atMs + boundMs;
      const after = scans(history, phases.due).find((s) => s.startedAtMs >= dueMs);
      if (after === undefined)
        throw new MissingEvidence(
          'memory-scan',
          `no scan of the host from ${new Date(dueMs).toISOString()} on, when the shutdown was due`,
        );
      const listening = hostListeners(after, ports);
      const at = `${after.startedAtMs - owed.atMs} ms after ${owed.what}`;
      const observed = `keys in memory: ${after.foundInMemory.join(', ') || 'none'}; listening: ${listening.map((k) => `${k.proto} ${k.port}`).join(', ') || 'none'} (${at})`;
      return verdictOf(
        after.foundInMemory.length === 0 && listening.length === 0,
        `no key in memory and no service listening ${at} (before: ${held.join(', ')} and ports ${ports.join(', ')})`,
        `the shutdown left ${[
          ...(after.foundInMemory.length > 0
            ? [`${after.foundInMemory.join(', ')} in memory`]
            : []),
          ...(listening.length > 0
            ? [`${listening.map((k) => `${k.proto} ${k.port}`).join(', ')} listening`]
            : []),
        ].join(' and ')} ${at}`,
        {
          expected: `no key in any process and no listener of the host from ${boundMs} ms after ${owed.what} on`,
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
