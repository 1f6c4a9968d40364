import { SovhError } from '../../harness/util/sovh-error.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';

/** Where the intruder's program lands in the host: a name of its own, so the audit record names it. */
const intruderDir = '/usr/local/bin';

/**
 * The intruder's program: sash, a statically linked shell of the observer image whose commands
 * (`-dd`, `-chmod`, ...) run inside its own process. Copied under the intruder's name, every
 * write and attribute change is made by a process whose executable is that name, and it needs
 * nothing of the stack's image: no shell, no libc, no coreutils.
 */
const staticProgram = '/bin/sash';

/** What the intruder's command must have left in the host, read afterwards from outside. */
export interface IntruderEffect {
  path: string;
  /** `stat` of the path from outside: size in bytes and octal mode. */
  expect: (state: { sizeBytes: number; mode: string }) => boolean;
  /** What was expected, for the error when it is not there. */
  describe: string;
}

/**
 * Runs one command as an intruder would, inside the host under a name of its own: the harness's
 * static program is copied into the host from outside the stack (HostRoot) and runs `command` (a
 * sash built-in) in the host's namespaces. sash ends 0 whether its built-in worked or not, so the
 * effect is read from outside afterwards: an intruder that did nothing would leave the audit
 * checks failing for a reason of the harness's own.
 */
export async function runIntruder(
  host: HostVm,
  name: string,
  command: string,
  effect: IntruderEffect,
): Promise<void> {
  const inHost = `${intruderDir}/${name}`;
  const root = await host.openRoot();
  try {
    const copied = await root.exec(['cp', staticProgram, root.path(inHost)], { timeoutMs: 10_000 });
    if (copied.exitCode !== 0)
      throw new SovhError(
        'SCENARIO_STEP_FAILED',
        `could not copy the intruder ${name} into ${host.name}: ${copied.stderr.trim()}`,
      );
    const ran = await host.container.exec([inHost, '-c', command], { timeoutMs: 10_000 });
    const stat = await root.exec(['stat', '-c', '%s %a', root.path(effect.path)], {
      timeoutMs: 10_000,
    });
    const [size, mode] = stat.stdout.trim().split(' ');
    const state = { sizeBytes: Number(size), mode: mode ?? '' };
    if (ran.exitCode !== 0 || stat.exitCode !== 0 || !effect.expect(state))
      throw new SovhError(
        'SCENARIO_STEP_FAILED',
        `the intruder ${name} in ${host.name} did not leave ${effect.path} ${effect.describe} ` +
          `(exit ${String(ran.exitCode)}, ${ran.stderr.trim() || 'no error output'}; ` +
          `the file: ${stat.exitCode === 0 ? `${state.sizeBytes} bytes, mode ${state.mode}` : stat.stderr.trim()})`,
      );
  } finally {
    await root.detach();
  }
}
