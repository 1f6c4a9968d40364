import { setTimeout as sleep } from 'node:timers/promises';
import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { logMarkers } from '../../harness/contract/log-markers.ts';
import { injectFault } from '../../harness/faults/inject-fault.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import { readVmFile } from '../../harness/checks/probes/disk-forensics.ts';
import { hostPaths } from '../../harness/contract/host-paths.ts';
import {
  awaitLogLine,
  parseResidencyLog,
  type LogLine,
} from '../power-thermal/thermal-evidence.ts';

/**
 * How long both of the BMC's protocols stay silent: a read that begins just after tries the
 * site's protocol until its timeout (5 s in the reference) and the other until its own (2 s), so
 * it fails about 7 s in; 10 s hold one failed read with room for a loaded machine.
 */
export const blindMs = 10_000;
/**
 * After the heal, how long a read may still take to fail: an SNMP attempt begun just before the
 * heal gives up at most two of its 1 s timeouts later, and a loaded machine adds a little.
 */
export const lateFailureMs = 3_000;
/** How long the harness waits for the watch to say its readings are back, after the heal. */
const restoredWaitMs = 12_000;

/** Both of the BMC's protocols silenced (epoch ms), and until when the harness waited for the word that reads are back. */
export interface BlindWindow {
  machine: string;
  blindFromMs: number;
  blindUntilMs: number;
  restoredWaitUntilMs: number;
  /** The residency log from a second before the window on, read off the VM disk after the wait. */
  logLines: LogLine[];
}
export const blindWindow = observationKey<BlindWindow>('bmc-blind-window');

/**
 * The simulated BMC stops answering over IPMI and SNMP alike (its requests dropped on arrival),
 * then answers again: no read of the watch can succeed meanwhile. Then the harness waits for the
 * stack's word that its readings are back (bounded), so that the run goes on with a watch that reads.
 */
export async function blindTheWatch(
  context: ScenarioContext,
  host: HostVm,
  machine: string,
): Promise<BlindWindow> {
  const heals: (() => Promise<void>)[] = [];
  let blindFromMs = Date.now();
  try {
    for (const protocol of ['ipmi', 'snmp'] as const)
      heals.push(await injectFault(context, 'bmc-protocol-silence', { machine, protocol }));
    blindFromMs = Date.now();
    await sleep(blindMs);
  } finally {
    for (const heal of heals.reverse()) await heal();
  }
  const blindUntilMs = Date.now();
  await awaitLogLine(
    host,
    new RegExp(logMarkers.thermalReadingsRestored),
    blindUntilMs,
    restoredWaitMs,
  );
  const restoredWaitUntilMs = Date.now();
  // Read off the VM disk now, not at the end: the window's lines are judged on this step alone.
  const text = (await readVmFile(context.world, host, hostPaths.residencyLog))?.toString() ?? '';
  return context.observe(blindWindow, {
    machine,
    blindFromMs,
    blindUntilMs,
    restoredWaitUntilMs,
    logLines: parseResidencyLog(text).filter((l) => l.atMs >= blindFromMs - 1_000),
  });
}

/**
 * The contract's word for a blind watch: THERMAL_READINGS_UNAVAILABLE once while the BMC answers
 * over no protocol, and THERMAL_READINGS_RESTORED once reads succeed again. A watch that takes a
 * failed read for "nothing this poll" leaves the operator with overheat protection that is off
 * and says nothing.
 */
export const blindWatchReportedCheck: Check = {
  name: 'readings-unavailable-reported',
  description: `While the BMC answers over neither IPMI nor SNMP (${blindMs / 1000} s), the watch logs ${logMarkers.thermalReadingsUnavailable} once, and ${logMarkers.thermalReadingsRestored} after it once the BMC answers again`,
  verify(history) {
    const w = lastObservation(history, blindWindow).data;
    const lines = w.logLines;
    const at = (ms: number) => `${(Math.round((ms - w.blindFromMs) / 100) / 10).toFixed(1)} s`;
    const isFailure = (l: LogLine) => l.text.includes(logMarkers.thermalReadingsUnavailable);
    const firstFailure = lines.findIndex(
      (l) => isFailure(l) && l.atMs >= w.blindFromMs && l.atMs <= w.blindUntilMs + lateFailureMs,
    );
    const after = firstFailure < 0 ? [] : lines.slice(firstFailure + 1);
    const restoredAt = after.findIndex(
      (l) => l.text.includes(logMarkers.thermalReadingsRestored) && l.atMs <= w.restoredWaitUntilMs,
    );
    const repeats = (restoredAt < 0 ? after : after.slice(0, restoredAt)).filter(isFailure);
    const window = `${at(w.blindFromMs)}..${at(w.blindUntilMs)}`;
    const problems = [
      ...(firstFailure < 0
        ? [
            `no ${logMarkers.thermalReadingsUnavailable} while both protocols were silent (${window}, and ${lateFailureMs} ms after)`,
          ]
        : []),
      ...(firstFailure >= 0 && restoredAt < 0
        ? [
            `no ${logMarkers.thermalReadingsRestored} after it within ${Math.round((w.restoredWaitUntilMs - w.blindUntilMs) / 1000)} s of the heal`,
          ]
        : []),
      ...(repeats.length > 0
        ? [
            `${logMarkers.thermalReadingsUnavailable} logged ${repeats.length + 1} times before the readings were restored`,
          ]
        : []),
    ];
    const relevant = lines.filter(
      (l) =>
        l.atMs >= w.blindFromMs - 1_000 &&
        (isFailure(l) || l.text.includes(logMarkers.thermalReadingsRestored)),
    );
    return verdictOf(
      problems.length === 0,
      `the watch said it was blind ${at(lines[firstFailure]?.atMs ?? 0)} into the silence (${window}), and that its readings were back at ${at(after[restoredAt]?.atMs ?? 0)}`,
      problems.join('; '),
      {
        expected: `one ${logMarkers.thermalReadingsUnavailable} in ${window} (or up to ${lateFailureMs} ms after), then ${logMarkers.thermalReadingsRestored}`,
        observed: relevant.map((l) => `${at(l.atMs)} ${l.text}`).join(' | ') || 'no such line',
        evidence: [
          {
            source: 'residency.log on the VM disk',
            excerpt:
              relevant
                .slice(0, 4)
                .map((l) => l.text)
                .join('\n') || '(none)',
          },
        ],
      },
    );
  },
};
