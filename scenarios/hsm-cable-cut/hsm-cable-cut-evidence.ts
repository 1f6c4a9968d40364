import { listStoreFiles, objectPath } from '../../harness/checks/probes/data-at-rest.ts';
import type { FaultWindow } from '../../harness/faults/fault-train.ts';
import { scanVmDisks } from '../../harness/checks/probes/disk-forensics.ts';
import {
  deviceNotFound,
  hsmSecureLogOnDisk,
  vmLogLines,
} from '../../harness/checks/probes/custody-evidence.ts';
import { kmsOf } from '../../harness/checks/probes/custody-evidence.ts';
import type { KnownSecret, MemoryScan } from '../../harness/checks/probes/memory-scan.ts';
import { loadPayloadPrefix, type LoadRequest } from '../../harness/checks/probes/store-load.ts';
import { storeRead } from '../../harness/checks/probes/store-probe.ts';
import { storePort } from '../../harness/contract/site-file.ts';
import type { StartedContainer } from '../../harness/runtime/started-container.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';

/** One cut of the HSM's cable and its heal (epoch ms). */
/** One cut of the HSM: the moments of a fault train's window. */
export type CutWindow = FaultWindow;

/** The load that ran through the faults, with the faults' times. */
export interface FaultLoadObservation {
  cuts: CutWindow[];
  /** Per host, the object stored before the load that each round reads back. */
  standing: Record<string, string>;
  requests: LoadRequest[];
}
export const faultLoad = observationKey<FaultLoadObservation>('fault-load');

/** A scan of a host's process memory for its data key, before a cut or during one. */
export interface KeyInMemoryObservation {
  host: string;
  phase: 'before-cut' | 'during-cut';
  startedAtMs: number;
  finishedAtMs: number;
  /** Labels of the secrets found in some process's memory. */
  foundInMemory: string[];
  processes: number;
  bytesScanned: number;
  description: string;
  errors: string[];
}
export const keyInMemory = observationKey<KeyInMemoryObservation>('key-in-memory');
export const dataKeyLabel = 'data-key';

/** The host's data key as its KMS gives it to the harness's own KMIP client (the host's identity). */
export async function learnDataKey(
  context: ScenarioContext,
  kmsName: string,
  host: HostVm,
): Promise<KnownSecret> {
  const kms = kmsOf(context.world, kmsName);
  const keys = await kms.listKeys(host.name);
  const key = keys.find((k) => k.name === `residency-data-key/${host.name}`);
  if (key === undefined)
    throw new Error(`no data key of ${host.name} on ${kmsName}: ${JSON.stringify(keys)}`);
  return { label: dataKeyLabel, bytes: (await kms.getKey(host.name, key.uid)).value };
}

export function observeKeyInMemory(
  context: ScenarioContext,
  host: HostVm,
  phase: KeyInMemoryObservation['phase'],
  scan: MemoryScan,
  description: string,
): KeyInMemoryObservation {
  return context.observe(keyInMemory, {
    host: host.name,
    phase,
    startedAtMs: scan.startedAtMs,
    finishedAtMs: scan.finishedAtMs,
    foundInMemory: scan.foundInMemory,
    processes: scan.processes.length,
    bytesScanned: scan.processes.reduce((n, p) => n + p.bytes, 0),
    description,
    errors: scan.errors,
  });
}

export interface DiskAfterFaultObservation {
  host: string;
  /** Object files of writes the store refused that are on the data disk anyway. */
  refusedButStored: string[];
  /** Files that hold a load payload in clear. */
  payloadsInClear: string[];
  secureLogLines: string[];
}

export async function observeDiskAfterFault(
  context: ScenarioContext,
  host: HostVm,
  requests: readonly LoadRequest[],
): Promise<DiskAfterFaultObservation> {
  const refused = new Set(
    requests
      .filter((r) => r.host === host.name && r.op === 'put' && !r.ok)
      .map((r) => objectPath(r.objectId)),
  );
  const [files, payloadsInClear, secureLogLines] = await Promise.all([
    listStoreFiles(context.world, host),
    scanVmDisks(context.world, host, Buffer.from(loadPayloadPrefix)),
    vmLogLines(context.world, host, hsmSecureLogOnDisk, deviceNotFound),
  ]);
  return context.observe('disk-after-fault', {
    host: host.name,
    refusedButStored: files.filter((f) => refused.has(f.path)).map((f) => f.path),
    payloadsInClear,
    secureLogLines,
  });
}

export interface SameBootObservation {
  host: string;
  readBackBefore: { status: number; matches: boolean };
  /** The stack's process before the fault and after recovery: the same one means no restart. */
  agentBefore: string;
  agentAfter: string;
  containerBefore: string;
  containerAfter: string;
}

/** The stack's agent process (residency.main) as the engine sees it: "<pid> <command>". */
export async function agentProcess(host: HostVm): Promise<string> {
  const processes = await host.container.processes();
  const agent = processes.find((p) => p.command.includes('residency.main'));
  return agent === undefined ? '(none)' : `${agent.pid} ${agent.command}`;
}

/** A host's object stored before the cuts, with its stack's process and container then. */
export interface StandingObject {
  objectId: string;
  payload: string;
  agent: string;
  container: string;
}

/**
 * After the cuts: each host's disks and secure log, then its standing object read back with the
 * stack's process and container compared with those before ('same-boot': recovered, not
 * restarted).
 */
/** The last step that judges the cuts: a schedule cut after it skips only the hang. */
export const cutsJudgedStep = 'the earlier objects read back, in the same boot and process';

export async function observeAfterCuts(
  context: ScenarioContext,
  observer: StartedContainer,
  hosts: readonly HostVm[],
  requests: readonly LoadRequest[],
  standing: ReadonlyMap<string, StandingObject>,
): Promise<void> {
  await context.step('look at the disks and the secure logs', async () => {
    for (const host of hosts) await observeDiskAfterFault(context, host, requests);
  });
  await context.step(cutsJudgedStep, async () => {
    for (const host of hosts) {
      const earlier = standing.get(host.name);
      const read =
        earlier === undefined
          ? { status: 0, body: '' }
          : await storeRead(observer, host.address, storePort, earlier.objectId);
      context.observe<SameBootObservation>('same-boot', {
        host: host.name,
        readBackBefore: { status: read.status, matches: read.body === earlier?.payload },
        agentBefore: earlier?.agent ?? '',
        agentAfter: await agentProcess(host),
        containerBefore: earlier?.container ?? '',
        containerAfter: host.container.id,
      });
    }
  });
}
