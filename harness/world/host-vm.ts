import { hostCapabilities, hostLockablePaths, hostPaths } from '../contract/host-paths.ts';
import type { RunSession } from '../runtime/run-session.ts';
import type { StartedContainer } from '../runtime/started-container.ts';
import type { PlacedHost } from '../topology/topology-validator.ts';
import { HostRoot } from './host-root.ts';
import { noAttachments, type MergedAttachments } from './host-attachments.ts';
import type { StartedMachine } from './started-machine.ts';

/** Where the stack's two disks are mounted (CONTRACT.md): they move with the VM. */
/**
 * The local time every host runs on: Central European (UTC+1, UTC+2 in summer), as a machine of a
 * German sovereign zone would, as a POSIX TZ string (glibc and Python read it without tzdata). The
 * contract's logs are UTC with milliseconds; on a host in UTC a stamp written in local time with
 * no zone reads as the same instant, so the harness's hosts are not in UTC.
 */
export const hostTimeZone = 'CET-1CEST,M3.5.0,M10.5.0/3';

export const vmDiskMount = hostPaths.systemDisk;
export const vmDataMount = hostPaths.dataDisk;

/**
 * A host of the topology: a VM whose disks (volumes) outlive any one boot. Each boot is a new
 * container from the stack image on some machine, so a reboot, a power cycle and a migration to
 * another machine are all real: the stack sees its own disks and that machine's TPM.
 */
export class HostVm {
  private bootCount = 0;
  /** The engine's log of every finished boot, kept as evidence after the container is gone. */
  readonly pastBoots: { boot: number; machine: string; output: string }[] = [];
  private current: { container: StartedContainer; machine: StartedMachine } | undefined;

  constructor(
    readonly spec: PlacedHost,
    private readonly session: RunSession,
    private readonly image: string,
    /** A harness image with a shell and chattr: what reaches the host's files from outside. */
    private readonly helperImage: string,
    readonly diskVolume: string,
    readonly dataVolume: string,
    readonly siteFile: string,
    /** What the simulators in the host's reach add to every boot (HSM socket, KMS certificates). */
    private readonly attachments: MergedAttachments = noAttachments,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  /** The running container; throws when the VM is shut down. */
  get container(): StartedContainer {
    if (this.current === undefined) throw new Error(`host ${this.name} is not running`);
    return this.current.container;
  }

  get machine(): StartedMachine {
    if (this.current === undefined) throw new Error(`host ${this.name} is not running`);
    return this.current.machine;
  }

  get isRunning(): boolean {
    return this.current !== undefined;
  }

  /** The VM's address: that of the machine it runs on. */
  get address(): string {
    return this.machine.address;
  }

  async boot(machine: StartedMachine): Promise<void> {
    if (this.current !== undefined) throw new Error(`host ${this.name} is already running`);
    this.bootCount += 1;
    const builder = this.session
      .container(this.image, `${this.name}-boot${this.bootCount}`)
      .withNode(this.name, 'host')
      .withNetworkNamespaceOf(machine.pod)
      .withVolumeFile(machine.resolvConfFile, '/etc/resolv.conf')
      .withCapabilities(...hostCapabilities)
      .withVolume(this.diskVolume, vmDiskMount)
      .withVolume(this.dataVolume, vmDataMount)
      .withTmpfs('/run', 'rw,nosuid,size=64m')
      .withFile(hostPaths.siteFile, this.siteFile, 0o644)
      .withUnlockBeforeRemoval(hostLockablePaths, { helperImage: this.helperImage })
      .withInit();
    for (const volume of this.attachments.volumes) {
      builder.withVolume(volume.source, volume.target, { readOnly: volume.readOnly });
    }
    for (const file of this.attachments.files) builder.withFile(file.path, file.content, file.mode);
    builder.withEnvironment({ TZ: hostTimeZone, ...this.attachments.environment });
    // A real TPM passed through to the machine reaches each boot as its device node.
    for (const node of machine.tpm.devices) builder.withDevice(node);
    const container = await machine.admit(() => builder.start());
    this.current = { container, machine };
  }

  async shutdown(): Promise<void> {
    if (this.current === undefined) return;
    const { container, machine } = this.current;
    this.current = undefined;
    // The engine cannot remove a container that holds an immutable file; teardown would retry.
    await this.unlockLockedFiles(container).catch((error: unknown) => {
      this.session.log.warn(`${this.name}: ${(error as Error).message}`);
    });
    await container.stop(10);
    this.pastBoots.push({
      boot: this.bootCount,
      machine: machine.name,
      output: await container.logs(2_000).catch(() => ''),
    });
    await container.remove();
  }

  /** This boot's files, reached from outside the stack (see HostRoot); the caller detaches it. */
  openRoot(): Promise<HostRoot> {
    return HostRoot.open(this.session, this.helperImage, this.container, this.name);
  }

  /**
   * A harness container of its own in this boot's PID namespace that reaches its files: for a
   * process of the harness's that must count as one of the host's (HostRoot.attachInHost).
   */
  openRootInHost(): Promise<HostRoot> {
    return HostRoot.attachInHost(this.session, this.helperImage, this.container, this.name);
  }

  /**
   * Lifts the immutable flag of the files the contract lets a stack lock, from a harness
   * container (HostRoot): before a boot is removed, or restarted (the engine rewrites some of
   * them at start). The stack locks them again when it boots.
   */
  async unlockLockedFiles(container: StartedContainer = this.container): Promise<void> {
    // A stopped boot has no root to reach (a power cut stopped it); teardown starts it.
    const { State } = await container.docker.getContainer(container.id).inspect();
    if (!State.Running) return;
    const root = await HostRoot.open(this.session, this.helperImage, container, this.name);
    try {
      await root.unlock(hostLockablePaths);
    } finally {
      await root.detach();
    }
  }

  /** Shuts down and boots on another machine, taking the disks along. */
  async migrate(target: StartedMachine): Promise<void> {
    await this.shutdown();
    await this.boot(target);
  }
}
