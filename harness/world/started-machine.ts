import { labelKeys } from '../runtime/labels.ts';
import type { RunSession } from '../runtime/run-session.ts';
import type { StartedContainer } from '../runtime/started-container.ts';
import type { Machine } from '../topology/topology-schema.ts';
import { StartedTpm } from '../../sims/tpm/swtpm.ts';
import type { TpmProfile } from '../devices/device-profile.ts';
import { fenceLabInterface, type LabNetwork } from '../devices/lab-network.ts';
import type { MachineTpm } from '../devices/machine-tpm.ts';
import { RealTpm } from '../devices/real-tpm.ts';
import type { StaticRoute } from '../../sims/sim-kind.ts';
import { applyStaticRoutes } from './static-routes.ts';

/**
 * The machine's network configuration volume, in the pod. Its resolv.conf is bound over the
 * /etc/resolv.conf of every boot and of the machine probe: the file the engine manages itself
 * (the pod's, shared by everything that joins the namespace) is then never the stack's, so the
 * stack can make its own immutable without breaking the engine's operations on the machine (a
 * join, a file copy and a removal all rewrite or chown the engine's file, and fail on an immutable
 * one). images/pod ships the empty file, which the engine copies into the new volume.
 */
const machineNetDir = '/machine/net';
/** Files of the machine a host booted on it can lock; teardown unlocks them from the pod. */
export const machineLockablePaths = [`${machineNetDir}/resolv.conf`, '/etc/resolv.conf'];
const machineReadyTimeoutMs = 20_000;

export interface MachineImages {
  pod: string;
  tpm: string;
  /** The harness's helper image (the observer's): sets the lab fence of a machine. */
  helper?: string;
}

/** The machine's real devices, from the device profile (default: a simulated TPM, no lab). */
export interface MachineDevices {
  tpm: TpmProfile;
  /** The lab network the machine joins to reach its real devices, when it has any there. */
  lab?: LabNetwork;
}

/**
 * A physical machine of the world: a "pod" container that holds its network identity (its
 * address on its zone's network) and its TPM, which sits on the machine's loopback. Hosts (VMs)
 * boot on a machine by joining the pod's network namespace.
 */
export class StartedMachine {
  private constructor(
    readonly spec: Machine,
    readonly address: string,
    readonly pod: StartedContainer,
    private currentTpm: MachineTpm,
    /** The engine host's path of the machine's resolv.conf (in its network volume). */
    readonly resolvConfFile: string,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  get tpm(): MachineTpm {
    return this.currentTpm;
  }

  static async start(
    session: RunSession,
    spec: Machine,
    network: { name: string; address: string },
    images: MachineImages,
    devices: MachineDevices = { tpm: 'sim' },
  ): Promise<StartedMachine> {
    // A host may lock the machine's resolv.conf, which lives on this volume: its label names the
    // helper that unlocks it when the run dies before its teardown did.
    const netVolume = await session.createVolume(`${spec.name}-net`, {
      [labelKeys.unlockWith]: images.pod,
    });
    const builder = session
      .container(images.pod, spec.name)
      .withVolume(netVolume, machineNetDir)
      .withNode(spec.name, 'machine')
      .withCommandChannel()
      .withNetwork(network.name, network.address, [spec.name])
      // NET_ADMIN: the world installs the machine's routes. SYS_ADMIN: the sysctl agent remounts
      // /proc/sys writable in the pod's own mount namespace (images/pod/machine-init).
      // LINUX_IMMUTABLE: a host may lock the machine's resolv.conf; admit() unlocks it from here.
      .withCapabilities('NET_ADMIN', 'SYS_ADMIN', 'LINUX_IMMUTABLE')
      .withUnlockBeforeRemoval(machineLockablePaths, { helperImage: images.pod })
      .withInit()
      .withStartupCheck((c) =>
        c.waitForLog(/^MACHINE_READY /, machineReadyTimeoutMs).then(() => undefined),
      );
    const { lab } = devices;
    // The lab is a second interface of the machine, after its zone network.
    if (lab !== undefined) builder.withNetwork(lab.name);
    const pod = await builder.start();
    if (lab !== undefined) {
      if (images.helper === undefined) throw new Error('no helper image for the lab fence');
      await fenceLabInterface(session, images.helper, pod, lab);
    }
    const tpm =
      devices.tpm === 'sim'
        ? await StartedTpm.powerOn({
            session,
            image: images.tpm,
            machine: spec.name,
            pod,
            stateVolume: await session.createVolume(`${spec.name}-tpm-state`),
            bootChain: spec.bootChain,
          })
        : await RealTpm.start({
            session,
            image: images.tpm,
            machine: spec.name,
            pod,
            device: devices.tpm,
          });
    const { Mountpoint } = (await session.docker.getVolume(netVolume).inspect()) as {
      Mountpoint: string;
    };
    const resolvConfFile = `${Mountpoint}/resolv.conf`;
    return new StartedMachine(spec, network.address, pod, tpm, resolvConfFile);
  }

  /** Installs static routes in the machine's network namespace, as the network's DHCP would. */
  async addRoutes(routes: readonly StaticRoute[]): Promise<void> {
    await applyStaticRoutes(this.pod, routes);
  }

  /**
   * Starts a container that joins the machine's network namespace. The engine rewrites the
   * namespace's resolv.conf (the pod's) for every container that joins, and fails when a host on
   * the machine made it immutable; so the flag is lifted for the start and put back after.
   */
  async admit<T>(start: () => Promise<T>): Promise<T> {
    const script =
      'for f in "$@"; do if lsattr "$f" 2>/dev/null | cut -c5 | grep -q i; then chattr -i "$f" && echo "$f"; fi; done';
    const unlocked = (
      await this.pod.exec(['sh', '-c', script, 'admit', ...machineLockablePaths], {
        timeoutMs: 10_000,
      })
    ).stdout
      .split('\n')
      .filter(Boolean);
    try {
      return await start();
    } finally {
      if (unlocked.length > 0)
        await this.pod.exec(['chattr', '+i', ...unlocked], { timeoutMs: 10_000 });
    }
  }

  /**
   * Replaces the machine's resolv.conf, what every boot on it finds at /etc/resolv.conf, and makes
   * it immutable, from the pod: the file an earlier boot (or an operator) left locked. Teardown
   * unlocks it with the machine's other lockable files.
   */
  async lockResolvConf(content: string): Promise<void> {
    const [file] = machineLockablePaths;
    const script = 'chattr -i "$1" 2>/dev/null; printf %s "$2" > "$1" && chattr +i "$1"';
    const result = await this.pod.exec(['sh', '-c', script, 'lock', file ?? '', content], {
      timeoutMs: 10_000,
    });
    if (result.exitCode !== 0)
      throw new Error(
        `locking the resolv.conf of machine ${this.spec.name} failed (exit ${String(result.exitCode)}): ${result.stderr.trim()}`,
      );
  }

  async removeDefaultRoute(family: 'ipv4' | 'ipv6' = 'ipv4'): Promise<void> {
    const ip = family === 'ipv6' ? ['ip', '-6'] : ['ip'];
    await this.pod.exec([...ip, 'route', 'del', 'default'], { timeoutMs: 5_000 });
  }

  /** A net.* sysctl of the machine, read by the harness from the machine itself. */
  async sysctl(key: string): Promise<string> {
    const result = await this.pod.run(['cat', `/proc/sys/${key.replace(/\./g, '/')}`], {
      timeoutMs: 5_000,
    });
    return result.stdout.trim();
  }

  /**
   * Powers the TPM off and on again (PCRs reset), with the firmware measuring `bootChain`. The
   * caller stops the host first, as a machine's power cycle would. A real TPM cannot be powered
   * by the harness: this throws DeviceNotApplicable, and the scenario is not applicable.
   */
  async powerCycleTpm(bootChain: string): Promise<void> {
    this.currentTpm = await this.currentTpm.powerCycle(bootChain, (start) => this.admit(start));
  }
}
