import { randomBytes } from 'node:crypto';
import type { ExecOptions, ExecResult } from '../runtime/container-exec.ts';
import {
  inRootOfTarget,
  outsideFileCapabilities,
  unlockCommand,
} from '../runtime/outside-unlock.ts';
import type { RunSession } from '../runtime/run-session.ts';
import type { StartedContainer } from '../runtime/started-container.ts';

/**
 * A host's files as the harness reaches them from outside the stack: a harness container (the
 * observer image, with its own shell, coreutils and e2fsprogs) that joins the host's PID
 * namespace and opens the host's root through /proc/1/root. It holds only SYS_PTRACE (to open
 * that root) and LINUX_IMMUTABLE (to lift and restore a flag), and no network. Nothing of the
 * stack's image runs, so a stack without a shell or chattr is testable and a patched tool in it
 * cannot change what the harness reads or writes. Its processes are visible in the host's PID
 * namespace while it is attached: attach it for a step and detach it after.
 */
export class HostRoot {
  private constructor(private readonly helper: StartedContainer) {}

  static async attach(
    session: RunSession,
    helperImage: string,
    host: StartedContainer,
    node: string,
  ): Promise<HostRoot> {
    const helper = await session
      .container(helperImage, `${node}-root-${randomBytes(2).toString('hex')}`)
      .withNode(node, 'host-root')
      .withPidNamespaceOf(host)
      .withCapabilities(...outsideFileCapabilities)
      .withCommand(['sleep', 'infinity'])
      .start();
    return new HostRoot(helper);
  }

  /** The helper's path of a host path. */
  path(hostPath: string): string {
    return inRootOfTarget(hostPath);
  }

  /** Runs one of the harness's own commands in the helper; paths go through `path()`. */
  exec(command: string[], options?: ExecOptions): Promise<ExecResult> {
    return this.helper.exec(command, options);
  }

  /** Lifts the immutable flag of each of the host's paths that exists. */
  async unlock(hostPaths: readonly string[]): Promise<void> {
    await this.helper.run(unlockCommand(hostPaths), { timeoutMs: 10_000 });
  }

  async detach(): Promise<void> {
    await this.helper.remove();
  }
}
