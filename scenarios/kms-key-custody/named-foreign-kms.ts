import { setTimeout as sleep } from 'node:timers/promises';
import {
  kmsOf,
  probeStoreIfAnswered,
  vmLogLines,
} from '../../harness/checks/probes/custody-evidence.ts';
import { machineProbe } from '../../harness/checks/probes/machine-probe.ts';
import { tcpConnect } from '../../harness/checks/probes/tcp-probe.ts';
import { hostPaths } from '../../harness/contract/host-paths.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import { installCounter, readCounter, removeCounter } from './kms-attempt-counter.ts';

/** The refusal the contract names for a KMS outside the domestic CIDRs. */
const refusalMarker = 'GEOGRAPHIC_FENCE_ERROR';
/** How long the boot named to the KMS abroad has to reach its outcome. */
const outcomeTimeoutMs = 60_000;

/** A boot whose site file names the KMS abroad, watched from inside its namespace. */
export interface NamedForeignKmsObservation {
  host: string;
  kms: string;
  /** How the boot ended: its refusal logged, an attempt counted, its store serving, or nothing seen. */
  outcome: 'refused' | 'attempted' | 'serving' | 'none';
  /** The refusal lines this boot added to the residency log (read off the VM disk). */
  refusalLines: string[];
  /** Packets toward the KMS abroad that the host sent during the boot; undefined: the counter was gone. */
  attempts: number | undefined;
  /** The counter after the harness's own connection toward it from the same namespace. */
  controlAttempts: number | undefined;
}

/**
 * Boots `host` again, its site file naming the KMS abroad (the topology's `clients` option), and
 * watches the boot from outside the stack: the harness's counter in its namespace sees any
 * attempt toward that KMS, even one the fence drops; the residency log on the VM disk says
 * whether it refused. The first boot at bring-up ran before the counter existed, hence the reboot.
 * The harness then connects toward the KMS from the same namespace: a counter that does not see
 * it proves nothing.
 */
export async function observeNamedForeignKms(
  context: ScenarioContext,
  host: HostVm,
  foreignKms: string,
): Promise<NamedForeignKmsObservation> {
  const { world } = context;
  const kms = kmsOf(world, foreignKms);
  const machine = host.machine;
  const probe = await machineProbe(world, machine);
  await installCounter(probe, kms.address, kms.port);
  try {
    const refusals = () => vmLogLines(world, host, hostPaths.residencyLog, refusalMarker);
    await host.shutdown();
    const before = (await refusals()).length;
    await host.boot(machine);
    let outcome: NamedForeignKmsObservation['outcome'] = 'none';
    const deadline = Date.now() + outcomeTimeoutMs;
    while (outcome === 'none' && Date.now() < deadline) {
      if ((await refusals()).length > before) outcome = 'refused';
      else if (((await readCounter(probe)) ?? 0) > 0) outcome = 'attempted';
      else if ((await probeStoreIfAnswered(world, host))?.connected === true) outcome = 'serving';
      else await sleep(1_000);
    }
    const refusalLines = (await refusals()).slice(before);
    const attempts = await readCounter(probe);
    await tcpConnect(probe, kms.address, kms.port, 2);
    const controlAttempts = await readCounter(probe);
    return context.observe('named-foreign-kms', {
      host: host.name,
      kms: `${kms.name} ${kms.address}:${String(kms.port)}`,
      outcome,
      refusalLines,
      attempts,
      controlAttempts,
    });
  } finally {
    await removeCounter(probe);
  }
}
