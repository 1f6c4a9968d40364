import { randomBytes } from 'node:crypto';
import { runningEngineHostHelper } from '../runtime/engine-host-helper.ts';
import type { ExecOptions, ExecResult } from '../runtime/container-exec.ts';
import {
  inRootOfProcess,
  inRootOfTarget,
  outsideFileCapabilities,
  unlockResolvedCommand,
} from '../runtime/outside-unlock.ts';
import type { RunSession } from '../runtime/run-session.ts';
import type { StartedContainer } from '../runtime/started-container.ts';

/**
 * A host's files as the harness reaches them from outside the stack: through the root of the
 * host's first process (/proc/PID/root), from a harness container (the observer image, with its
 * own shell, coreutils and e2fsprogs) that holds SYS_PTRACE (to open that root) and
 * LINUX_IMMUTABLE (to lift and restore a flag), and no network of the world. Nothing of the
 * stack's image runs, so a stack without a shell or chattr is testable and a patched tool in it
 * cannot change what the harness reads or writes.
 *
 * `open` goes through the session's engine-host helper: no container start, and the harness's
 * processes stay out of the host's PID namespace, where a stack could see or kill them.
 * `attachInHost` starts a helper in the host's PID namespace instead, for the one use that needs
 * its processes there (a file held open by a process of the host: file-canary.ts).
 */
export class HostRoot {
  private constructor(
    private readonly helper: StartedContainer,
    private readonly root: (hostPath: string) => string,
    private readonly ownsHelper: boolean,
  ) {}

  /** The host's root through the engine-host helper, by the PID the engine reports for its init. */
  static async open(
    session: RunSession,
    helperImage: string,
    host: StartedContainer,
    node: string,
  ): Promise<HostRoot> {
    const [{ State }, helper] = await Promise.all([
      host.docker.getContainer(host.id).inspect(),
      runningEngineHostHelper(session, helperImage),
    ]);
    if (!State.Running || State.Pid <= 0)
      throw new Error(`the files of host ${node} cannot be reached: its container is not running`);
    return new HostRoot(helper, (path) => inRootOfProcess(State.Pid, path), false);
  }

  /** A helper of its own in the host's PID namespace; its processes are the host's while attached. */
  static async attachInHost(
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
    return new HostRoot(helper, inRootOfTarget, true);
  }

  /** The helper's path of a host path. */
  path(hostPath: string): string {
    return this.root(hostPath);
  }

  /** Runs one of the harness's own commands in the helper; paths go through `path()`. */
  exec(command: string[], options?: ExecOptions): Promise<ExecResult> {
    return this.helper.exec(command, options);
  }

  /** Lifts the immutable flag of each of the host's paths that exists. */
  async unlock(hostPaths: readonly string[]): Promise<void> {
    await this.helper.run(unlockResolvedCommand(hostPaths.map(this.root)), { timeoutMs: 10_000 });
  }

  /** Removes a helper of its own; the session's engine-host helper stays for the next use. */
  async detach(): Promise<void> {
    if (this.ownsHelper) await this.helper.remove();
  }
}
