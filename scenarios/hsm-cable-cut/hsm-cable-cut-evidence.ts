import { listStoreFiles, objectPath } from '../../harness/checks/probes/data-at-rest.ts';
import { scanVmDisks } from '../../harness/checks/probes/disk-forensics.ts';
import {
  deviceNotFound,
  hsmSecureLogOnDisk,
  vmLogLines,
} from '../../harness/checks/probes/custody-evidence.ts';
import { loadPayloadPrefix, type LoadRequest } from '../../harness/checks/probes/store-load.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';

/** The load that ran through the fault, with the fault's times (epoch ms). */
export interface FaultLoadObservation {
  cutAtMs: number;
  /** When the heal began: the HSM may answer before the heal step returns. */
  healBeganAtMs: number;
  healedAtMs: number;
  requests: LoadRequest[];
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
