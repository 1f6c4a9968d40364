import { SovhError } from '../../harness/util/sovh-error.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';

/** Where the intruder's program lands in the host: a name of its own, so the audit record names it. */
const intruderDir = '/usr/local/bin';

/**
 * Runs one of the harness's own programs inside the host under another name, as an intruder
 * would: the program (`harnessProgram`, a path in the harness's observer image) is copied into
 * the host from outside the stack (HostRoot), then run in the host's namespaces with `args`. No
 * shell or tool of the stack's image is used, so a stack without them is testable and a patched
 * one cannot change what the intruder does.
 */
export async function runIntruder(
  host: HostVm,
  name: string,
  harnessProgram: string,
  args: readonly string[],
): Promise<void> {
  const inHost = `${intruderDir}/${name}`;
  const root = await host.openRoot();
  try {
    const copied = await root.exec(['cp', harnessProgram, root.path(inHost)], {
      timeoutMs: 10_000,
    });
    if (copied.exitCode !== 0)
      throw new SovhError(
        'SCENARIO_STEP_FAILED',
        `could not copy the intruder ${name} into ${host.name}: ${copied.stderr.trim()}`,
      );
  } finally {
    await root.detach();
  }
  const ran = await host.container.exec([inHost, ...args], { timeoutMs: 10_000 });
  if (ran.exitCode !== 0)
    throw new SovhError(
      'SCENARIO_STEP_FAILED',
      `the intruder ${name} failed in ${host.name} (exit ${String(ran.exitCode)}): ${ran.stderr.trim()}`,
    );
}
