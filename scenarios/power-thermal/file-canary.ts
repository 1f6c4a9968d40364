import { randomBytes } from 'node:crypto';
import type { KnownSecret, MemoryScan } from '../../harness/checks/probes/memory-scan.ts';
import { hostPaths } from '../../harness/contract/host-paths.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import { fileCanary } from './power-observations.ts';

/** The label of the harness's own canary among the secrets a scan looks for. */
export const fileCanaryLabel = 'file-canary';

const canaryName = 'sovh-file-canary';

/**
 * Plants a canary of the harness's own (random bytes, hex-encoded in a file) in the places the
 * key scans must read: the host's tmpfs, its system disk and its data disk, written from outside
 * the stack (HostRoot). A file scan, or a scan of the VM disks, that does not find it did not read
 * there, and its "no key found" proves nothing. Recorded as 'file-canary'.
 */
export async function plantFileCanary(context: ScenarioContext, vm: HostVm): Promise<KnownSecret> {
  const bytes = randomBytes(32);
  const inTmpfs = `${hostPaths.runDir}/${canaryName}`;
  const onDisks = [`${hostPaths.systemDisk}/${canaryName}`, `${hostPaths.dataDisk}/${canaryName}`];
  const root = await vm.openRoot();
  try {
    const targets = [inTmpfs, ...onDisks].map((p) => root.path(p));
    const result = await root.exec(
      ['sh', '-ec', 'c=$(cat); for f in "$@"; do printf %s "$c" > "$f"; done', 'sh', ...targets],
      { stdin: bytes.toString('hex'), timeoutMs: 10_000 },
    );
    if (result.exitCode !== 0)
      throw new SovhError(
        'SCENARIO_STEP_FAILED',
        `could not plant the file canary in ${vm.name} (${result.stderr.trim()})`,
      );
  } finally {
    await root.detach();
  }
  context.observe(fileCanary, {
    host: vm.name,
    label: fileCanaryLabel,
    paths: [inTmpfs, ...onDisks],
    diskPaths: onDisks,
  });
  return { label: fileCanaryLabel, bytes };
}

/**
 * A scan without the canary in its memory findings: the canary is there for the file scans, and
 * a stack process that happened to read it would not be holding a key.
 */
export function withoutCanaryInMemory(scan: MemoryScan): MemoryScan {
  return {
    ...scan,
    processes: scan.processes.map((p) => ({
      ...p,
      hits: p.hits.filter((h) => !h.label.startsWith(fileCanaryLabel)),
    })),
    foundInMemory: scan.foundInMemory.filter((label) => label !== fileCanaryLabel),
  };
}
