import type Docker from 'dockerode';
import { describeError } from '../util/sovh-error.ts';
import type { ContainerRecord } from './container-record.ts';
import { labelKeys } from './labels.ts';
import type { RunSession } from './run-session.ts';
import { StartedContainer } from './started-container.ts';
import { packFiles, type ArchiveEntry } from '../util/tar-archive.ts';

interface NetworkAttachment {
  networkName: string;
  ipv4Address?: string;
  aliases: string[];
}

interface VolumeMount {
  source: string;
  target: string;
  readOnly: boolean;
  /** A volume by name, or a bind of a file on the engine host (a path inside a volume). */
  type?: 'volume' | 'bind';
}

type StartupCheck = (container: StartedContainer) => Promise<void>;

/**
 * Describes a container of a run, testcontainers-style: `with*()` calls return the builder and
 * `start()` returns a StartedContainer. A start that fails at any point removes the container it
 * made and rethrows the original error.
 */
export class ContainerBuilder {
  private readonly networks: NetworkAttachment[] = [];
  private networkModeOf: StartedContainer | undefined;
  private readonly capabilities = new Set<string>();
  private readonly volumes: VolumeMount[] = [];
  private readonly tmpfs: Record<string, string> = {};
  private readonly env: Record<string, string> = {};
  private readonly files: ArchiveEntry[] = [];
  private readonly extraLabels: Record<string, string> = {};
  private readonly sysctls: Record<string, string> = {};
  private readonly startupChecks: StartupCheck[] = [];
  private command: string[] | undefined;
  private entrypoint: string[] | undefined;
  private init = false;
  private commandChannel = false;
  private hostname: string | undefined;
  private hostPidNamespace = false;
  private pidNamespaceOf: StartedContainer | undefined;
  private engineHostNetwork = false;
  private memoryBytes: number | undefined;
  private readonly devices: string[] = [];

  constructor(
    private readonly session: RunSession,
    private readonly image: string,
    private readonly name: string,
  ) {}

  /** The topology node this container serves (a host, a machine, a simulator) and its role. */
  withNode(node: string, role: string): this {
    this.extraLabels[labelKeys.node] = node;
    this.extraLabels[labelKeys.role] = role;
    return this;
  }

  /**
   * Files the container may make immutable (chattr +i): teardown clears the flag first, since the
   * engine cannot remove a container whose filesystem holds an immutable file. It does so from a
   * container of `helperImage` (a harness image with chattr) joined to this one's PID namespace.
   */
  withUnlockBeforeRemoval(paths: readonly string[], options: { helperImage: string }): this {
    const previous = this.extraLabels[labelKeys.unlockPaths]?.split(',').filter(Boolean) ?? [];
    this.extraLabels[labelKeys.unlockPaths] = [...new Set([...previous, ...paths])].join(',');
    this.extraLabels[labelKeys.unlockWith] = options.helperImage;
    return this;
  }

  withNetwork(networkName: string, ipv4Address?: string, aliases: string[] = []): this {
    this.networks.push({ networkName, ipv4Address, aliases });
    return this;
  }

  /**
   * Runs in the engine host's network namespace. Only for the harness's own short-lived helpers
   * that set up the engine host's bridges (bridge-routing.ts); never for a node of a world.
   */
  withEngineHostNetwork(): this {
    this.engineHostNetwork = true;
    return this;
  }

  /** Joins the network namespace of another container (a machine's "pod"). */
  withNetworkNamespaceOf(container: StartedContainer): this {
    this.networkModeOf = container;
    return this;
  }

  /** Linux capabilities by name, e.g. NET_ADMIN. The harness never runs privileged. */
  withCapabilities(...capabilities: string[]): this {
    for (const capability of capabilities) this.capabilities.add(capability.replace(/^CAP_/, ''));
    return this;
  }

  withVolume(source: string, target: string, options: { readOnly?: boolean } = {}): this {
    this.volumes.push({ source, target, readOnly: options.readOnly === true });
    return this;
  }

  /**
   * Binds one file of a volume (its path on the engine host, from the volume's Mountpoint) onto a
   * file of the container. Only for files the engine would otherwise manage itself (resolv.conf).
   */
  withVolumeFile(
    engineHostPath: string,
    target: string,
    options: { readOnly?: boolean } = {},
  ): this {
    this.volumes.push({
      source: engineHostPath,
      target,
      readOnly: options.readOnly === true,
      type: 'bind',
    });
    return this;
  }

  withTmpfs(target: string, options = 'rw,size=64m'): this {
    this.tmpfs[target] = options;
    return this;
  }

  withEnvironment(env: Record<string, string>): this {
    Object.assign(this.env, env);
    return this;
  }

  /** Copies a file into the container before it starts. */
  withFile(path: string, content: string | Buffer, mode = 0o644): this {
    this.files.push({ path, content, mode });
    return this;
  }

  withSysctls(sysctls: Record<string, string>): this {
    Object.assign(this.sysctls, sysctls);
    return this;
  }

  withCommand(command: string[]): this {
    this.command = command;
    return this;
  }

  withEntrypoint(entrypoint: string[]): this {
    this.entrypoint = entrypoint;
    return this;
  }

  /** Runs a minimal init as PID 1 so signals reach the command and zombies are reaped. */
  withInit(): this {
    this.init = true;
    return this;
  }

  /**
   * Sends the harness's short commands through one long-lived shell in the container instead of
   * an exec each (see CommandChannel). For the harness's own containers only, never for the stack
   * under test: its process list is evidence.
   */
  withCommandChannel(): this {
    this.commandChannel = true;
    return this;
  }

  /**
   * Shares the machine's PID namespace. Only for what the kernel does not namespace (audit):
   * the container then sees every process of the machine.
   */
  withHostPidNamespace(): this {
    this.hostPidNamespace = true;
    return this;
  }

  /**
   * Joins the PID namespace of another container: with SYS_PTRACE, the harness's forensic
   * helpers read that container's process memory (/proc/PID/mem) from outside it.
   */
  withPidNamespaceOf(container: StartedContainer): this {
    this.pidNamespaceOf = container;
    return this;
  }

  /** Passes a device node of the engine host through (a real TPM: /dev/tpmrm0), read-write. */
  withDevice(path: string): this {
    this.devices.push(path);
    return this;
  }

  withHostname(hostname: string): this {
    this.hostname = hostname;
    return this;
  }

  withMemoryLimit(bytes: number): this {
    this.memoryBytes = bytes;
    return this;
  }

  /** A check run after start; the start fails (and cleans up) when it throws. */
  withStartupCheck(check: StartupCheck): this {
    this.startupChecks.push(check);
    return this;
  }

  /** How this container is started, in the world's names (for a compose file of the world). */
  private record(): ContainerRecord {
    const { session } = this;
    const nodeName = this.extraLabels[labelKeys.node];
    const role = this.extraLabels[labelKeys.role];
    return {
      name: this.name,
      image: this.image,
      ...(nodeName === undefined ? {} : { node: nodeName }),
      ...(role === undefined ? {} : { role }),
      ...(this.networkModeOf === undefined ? { hostname: this.hostname ?? this.name } : {}),
      networks:
        this.networkModeOf === undefined
          ? this.networks.map((n) => ({
              network: session.partOf(n.networkName),
              ...(n.ipv4Address === undefined ? {} : { ipv4Address: n.ipv4Address }),
              aliases: [...n.aliases],
            }))
          : [],
      ...(this.networkModeOf === undefined
        ? {}
        : { networkNamespaceOf: this.networkModeOf.nodeName }),
      ...(this.hostPidNamespace
        ? { pidNamespaceOf: 'host' }
        : this.pidNamespaceOf === undefined
          ? {}
          : { pidNamespaceOf: this.pidNamespaceOf.nodeName }),
      capabilities: [...this.capabilities],
      volumes: this.volumes.map((v) => ({
        source: v.type === 'bind' ? v.source : session.partOf(v.source),
        target: v.target,
        readOnly: v.readOnly,
        type: v.type ?? 'volume',
      })),
      tmpfs: { ...this.tmpfs },
      env: { ...this.env },
      ...(this.command === undefined ? {} : { command: [...this.command] }),
      ...(this.entrypoint === undefined ? {} : { entrypoint: [...this.entrypoint] }),
      init: this.init,
      sysctls: { ...this.sysctls },
      ...(this.memoryBytes === undefined ? {} : { memoryBytes: this.memoryBytes }),
      devices: [...this.devices],
      files: this.files.map((f) => f.path),
    };
  }

  private createOptions(containerName: string): Docker.ContainerCreateOptions {
    const [first] = this.networks;
    const networkMode = this.engineHostNetwork
      ? 'host'
      : this.networkModeOf !== undefined
        ? `container:${this.networkModeOf.id}`
        : (first?.networkName ?? 'none');
    return {
      name: containerName,
      Image: this.image,
      Cmd: this.command,
      Entrypoint: this.entrypoint,
      Env: Object.entries(this.env).map(([k, v]) => `${k}=${v}`),
      Labels: this.session.labels(this.extraLabels),
      Hostname:
        this.networkModeOf === undefined && !this.engineHostNetwork
          ? (this.hostname ?? this.name)
          : undefined,
      HostConfig: {
        NetworkMode: networkMode,
        CapAdd: [...this.capabilities],
        Init: this.init,
        PidMode: this.hostPidNamespace
          ? 'host'
          : this.pidNamespaceOf === undefined
            ? undefined
            : `container:${this.pidNamespaceOf.id}`,
        Mounts: this.volumes.map((v) => ({
          Type: v.type ?? ('volume' as const),
          Source: v.source,
          Target: v.target,
          ReadOnly: v.readOnly,
        })),
        Tmpfs: this.tmpfs,
        Sysctls: this.sysctls,
        Memory: this.memoryBytes,
        Devices: this.devices.map((path) => ({
          PathOnHost: path,
          PathInContainer: path,
          CgroupPermissions: 'rw',
        })),
      },
      NetworkingConfig:
        first === undefined || this.networkModeOf !== undefined
          ? undefined
          : { EndpointsConfig: { [first.networkName]: endpointConfig(first) } },
    };
  }

  async start(): Promise<StartedContainer> {
    const { session } = this;
    session.assertOpen(`container ${this.name}`);
    const containerName = session.resourceName(this.name);
    session.log.detail(`starting ${containerName} (${this.image})`);
    const created = await session.creating(
      session.docker.createContainer(this.createOptions(containerName)),
    );
    const started = new StartedContainer(session.docker, created.id, containerName, this.name, {
      commandChannel: this.commandChannel,
    });
    try {
      await session.removeIfClosed();
      // The engine API (1.41) takes one network at create; the others are joined before start.
      for (const extra of this.networkModeOf === undefined ? this.networks.slice(1) : []) {
        await session.docker.getNetwork(extra.networkName).connect({
          Container: created.id,
          EndpointConfig: endpointConfig(extra),
        });
      }
      if (this.files.length > 0) await created.putArchive(packFiles(this.files), { path: '/' });
      await created.start();
      // The engine host's short-lived helpers are no part of a world.
      if (!this.engineHostNetwork) session.containers.push(this.record());
      for (const check of this.startupChecks) await check(started);
      return started;
    } catch (error) {
      const logs = await started.logs(20).catch(() => '');
      if (logs !== '')
        session.log.warn(`${containerName} failed to start; its last output:\n${logs}`);
      await created.remove({ force: true, v: true }).catch((removeError: unknown) => {
        session.log.warn(`could not remove ${containerName}: ${describeError(removeError)}`);
      });
      throw error;
    }
  }
}

function endpointConfig(attachment: NetworkAttachment): Docker.EndpointSettings {
  return {
    IPAMConfig:
      attachment.ipv4Address === undefined ? undefined : { IPv4Address: attachment.ipv4Address },
    Aliases: attachment.aliases,
  };
}
