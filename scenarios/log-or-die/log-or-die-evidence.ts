import { basename } from 'node:path';
import { listStoreFiles, type StoredFile } from '../../harness/checks/probes/data-at-rest.ts';
import { residencyLogOnDisk, vmLogLines } from '../../harness/checks/probes/custody-evidence.ts';
import { hostPaths } from '../../harness/contract/host-paths.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import type { AuditEvent } from '../../sims/audit/audit-records.ts';
import type { StartedAudit } from '../../sims/audit/audit.ts';

export interface FillObservation {
  host: string;
  filledAtMs: number;
  bytesWritten: number;
  freeBytesAfter: number;
  /** The contract's level: with less than this free the stack must halt. */
  thresholdBytes: number;
}

export interface PostFillWrite {
  objectId: string;
  atMs: number;
  status: number;
  detail: string;
}

export interface HaltObservation {
  host: string;
  /** Whether the harness wrote to the store between the fill and the end of the watch. */
  writesDuringWatch: boolean;
  /** When the store port stopped accepting, epoch ms; undefined when it never did. */
  haltedAtMs: number | undefined;
  /** Probes after the halt that were accepted anyway (the halt must hold). */
  reopened: number;
}

export interface StoreStateObservation {
  host: string;
  filledAtMs: number;
  files: StoredFile[];
  /** Records of the host's audit log on its audit disk (what the host could audit). */
  hostLogEvents: AuditEvent[];
  /** Records the audit daemon routed to the host, from its own journal (complete). */
  journalEvents: AuditEvent[];
  logOrDieLines: string[];
  /** The store's audit trail as it lies on the host's audit disk, read by the machine. */
  auditDiskTrail: string;
}

/** The typed names of log-or-die's observations: the schedule writes them, the checks read them. */
export const observed = {
  auditDiskFilled: observationKey<FillObservation>('audit-disk-filled'),
  postFillWrites: observationKey<{ host: string; filledAtMs: number; writes: PostFillWrite[] }>(
    'post-fill-writes',
  ),
  halt: observationKey<HaltObservation & { filledAtMs: number }>('halt'),
  storeState: observationKey<StoreStateObservation>('store-state'),
};

export async function observeStoreState(
  context: ScenarioContext,
  host: HostVm,
  audit: StartedAudit,
  filledAtMs: number,
): Promise<StoreStateObservation> {
  const [files, hostLog, journalEvents, logOrDieLines, auditDiskTrail] = await Promise.all([
    listStoreFiles(context.world, host),
    audit.hostLog(host.name),
    audit.journal(host.name),
    vmLogLines(context.world, host, residencyLogOnDisk, 'AUDIT_LOG_UNWRITABLE'),
    audit.auditDiskFile(host.name, basename(hostPaths.storeAuditTrail)),
  ]);
  return context.observe(observed.storeState, {
    host: host.name,
    filledAtMs,
    files,
    hostLogEvents: hostLog.events,
    journalEvents,
    logOrDieLines,
    auditDiskTrail,
  });
}
