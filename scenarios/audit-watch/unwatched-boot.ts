import { setTimeout as sleep } from 'node:timers/promises';
import type { StartedAudit } from '../../sims/audit/audit.ts';
import { probeStoreIfAnswered, vmLogLines } from '../../harness/checks/probes/custody-evidence.ts';
import { hostPaths } from '../../harness/contract/host-paths.ts';
import { logMarkers } from '../../harness/contract/log-markers.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';

/** One look at the store port of the host whose rule is never loaded. */
interface StoreLook {
  atMs: number;
  connected: boolean;
  detail: string;
}

/** A boot whose audit rule the machine's audit daemon never loads, watched from outside. */
export interface UnwatchedBootObservation {
  host: string;
  /** The rules the kernel holds for the host: none, or the daemon loaded them after all. */
  kernelRules: string[];
  looks: StoreLook[];
  /** The residency log's AUDIT_WATCH_INACTIVE lines, read off the VM disk by the harness. */
  inactiveLines: string[];
  /** The look at which the line was first seen (the looks go on a while after it). */
  inactiveSeenAtMs?: number;
}

export const unwatchedBoot = observationKey<UnwatchedBootObservation>('unwatched-boot');

/**
 * The contract gives the stack 30 s to see its rule active before it says AUDIT_WATCH_INACTIVE,
 * from when its boot reaches the audit control: on a busy machine that can be well over a minute
 * after the step starts. Only a stack that never says it waits this long; one that opens its store
 * ends the wait at once.
 */
const inactiveDeadlineMs = 120_000;
/**
 * Looks go on this long after the line (a stack that starts its store anyway, "audit is late,
 * serve meanwhile", opens then) or after the store was first found open.
 */
const looksAfterLineMs = 3_000;
const lookIntervalMs = 500;

/**
 * Looks at the host's store port from its zone every half second until the stack has said
 * AUDIT_WATCH_INACTIVE (and a few seconds past it), or the deadline.
 */
export async function observeUnwatchedBoot(
  context: ScenarioContext,
  host: HostVm,
  audit: StartedAudit,
): Promise<UnwatchedBootObservation> {
  const { world } = context;
  const deadline = Date.now() + inactiveDeadlineMs;
  const looks: StoreLook[] = [];
  let inactiveLines: string[] = [];
  let inactiveSeenAtMs: number | undefined;
  // A store found open has decided the check: a few more looks show it stays open, with no need
  // to wait out the deadline for a line.
  let openSeenAtMs: number | undefined;
  const readLine = () =>
    vmLogLines(world, host, hostPaths.residencyLog, logMarkers.auditWatchInactive);
  for (;;) {
    const now = Date.now();
    const decidedAtMs = inactiveSeenAtMs ?? openSeenAtMs;
    if (decidedAtMs !== undefined ? now >= decidedAtMs + looksAfterLineMs : now >= deadline) break;
    const probe = await probeStoreIfAnswered(world, host);
    if (probe !== undefined)
      looks.push({ atMs: now, connected: probe.connected, detail: probe.detail });
    if (probe?.connected === true) openSeenAtMs ??= now;
    if (inactiveSeenAtMs === undefined) {
      inactiveLines = await readLine();
      if (inactiveLines.length > 0) inactiveSeenAtMs = now;
    }
    await sleep(lookIntervalMs);
  }
  return context.observe(unwatchedBoot, {
    host: host.name,
    kernelRules: await audit.kernelRules(host.name),
    looks,
    inactiveLines: inactiveLines.length > 0 ? inactiveLines : await readLine(),
    inactiveSeenAtMs,
  });
}
