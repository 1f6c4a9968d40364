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
const heldCanaryName = 'sovh-held-canary';

/**
 * Writes the canary to each file, and to one more that a process of the helper holds open after
 * unlinking it (the held copy's sleep inherits the descriptor; the shell removes the name only
 * once the holder has it, so no scan sees it by its path).
 */
const plantScript = [
  'c=$(cat)',
  'for f in "$@"; do printf %s "$c" > "$f"; done',
  'exec 3<>"$HELD"',
  'printf %s "$c" >&3',
  'sleep infinity </dev/null >/dev/null 2>&1 &',
  'exec 3>&-',
  'rm -f "$HELD"',
].join('\n');

/** The planted canary: what the scans look for, and the release of the copy held open. */
export interface PlantedCanary {
  secret: KnownSecret;
  /** Removes the helper that holds the unlinked copy (before the host is powered off). */
  release(): Promise<void>;
}

/**
 * Plants a canary of the harness's own (random bytes, hex-encoded in a file) in the places the
 * key scans must read: the host's tmpfs, its system disk and its data disk, written from outside
 * the stack (HostRoot). A file scan, or a scan of the VM disks, that does not find it did not read
 * there, and its "no key found" proves nothing. One more copy has no path: a file of the host's
 * tmpfs that a process in the host's PID namespace (the helper's) holds open after unlinking it,
 * as a key copied into a memfd or an unlinked file would be held; the scans read such files
 * through /proc/PID/fd and name them by their link. Recorded as 'file-canary'.
 */
export async function plantFileCanary(
  context: ScenarioContext,
  vm: HostVm,
): Promise<PlantedCanary> {
  const bytes = randomBytes(32);
  const inTmpfs = `${hostPaths.runDir}/${canaryName}`;
  const held = `${hostPaths.runDir}/${heldCanaryName}`;
  const onDisks = [`${hostPaths.systemDisk}/${canaryName}`, `${hostPaths.dataDisk}/${canaryName}`];
  const root = await vm.openRootInHost();
  try {
    const targets = [inTmpfs, ...onDisks].map((p) => root.path(p));
    const result = await root.exec(
      ['env', `HELD=${root.path(held)}`, 'sh', '-ec', plantScript, 'sh', ...targets],
      {
        stdin: bytes.toString('hex'),
        timeoutMs: 10_000,
      },
    );
    if (result.exitCode !== 0)
      throw new SovhError(
        'SCENARIO_STEP_FAILED',
        `could not plant the file canary in ${vm.name} (${result.stderr.trim()})`,
      );
  } catch (error) {
    await root.detach();
    throw error;
  }
  context.observe(fileCanary, {
    host: vm.name,
    label: fileCanaryLabel,
    // The kernel names an unlinked file by its last path and " (deleted)".
    paths: [inTmpfs, `${held} (deleted)`, ...onDisks],
    diskPaths: onDisks,
  });
  return { secret: { label: fileCanaryLabel, bytes }, release: () => root.detach() };
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
