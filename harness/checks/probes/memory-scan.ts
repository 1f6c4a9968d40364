import { randomBytes } from 'node:crypto';
import type { StartedContainer } from '../../runtime/started-container.ts';
import type { HostVm } from '../../world/host-vm.ts';
import type { World } from '../../world/world.ts';
import { secretEncodings } from './disk-forensics.ts';

/** A secret the harness learnt from outside the stack (the KMS, the TPM), to look for. */
export interface KnownSecret {
  label: string;
  bytes: Buffer;
}

export interface ProcessScan {
  pid: number;
  command: string;
  regions: number;
  bytes: number;
  hits: { label: string; address: string; region: string }[];
}

/** A listening TCP socket or a bound, unconnected UDP socket of the host's network namespace. */
export interface ListeningSocket {
  proto: 'tcp' | 'udp';
  family: 'ipv4' | 'ipv6';
  address: string;
  port: number;
  /** The host's processes holding it; empty for a socket of the machine itself (its TPM, ...). */
  processes: { pid: number; command: string }[];
}

/** One pass over every process of a host (and, when asked, its files and its sockets). */
export interface MemoryScan {
  host: string;
  startedAtMs: number;
  /** When the memory and the sockets had been read (a file scan may follow). */
  processesFinishedAtMs?: number;
  finishedAtMs: number;
  processes: ProcessScan[];
  files: { path: string; label: string }[];
  filesScanned: number;
  /** The host's mount points that the file scan walked (with --files). */
  filesystems?: { mountPoint: string; type: string }[];
  /** Listening sockets of the machine's network namespace (with --sockets), else null. */
  sockets?: ListeningSocket[] | null;
  /** The namespace's ephemeral port range [low, high]: where clients' UDP sockets bind. */
  ephemeralPorts?: [number, number] | null;
  errors: string[];
  /** Labels of the secrets found anywhere in memory. */
  foundInMemory: string[];
  /** The only processes whose memory this scan read (a focused scan), else null: all of them. */
  focus?: number[] | null;
}

/**
 * Reads the memory of every process of a host from outside it. The scanner is a harness container
 * that joins the host container's PID namespace with SYS_PTRACE, and the machine's network
 * namespace (as a probe clipped to the board), and reads /proc/PID/mem with its own program (the
 * observer image's scan-memory). The host's stack keeps its own capabilities (it is never given
 * SYS_PTRACE), and the scan does not run any program of the image under test, so neither a
 * defective stack nor its tools can shape what is found. Files are read through /proc/PID/root:
 * the host's own view of its root, tmpfs and volumes; sockets from the kernel's tables of the
 * machine's network namespace, each with the host's processes that hold it.
 */
export class MemoryScanner {
  private constructor(
    private readonly container: StartedContainer,
    readonly host: HostVm,
  ) {}

  static async attach(world: World, host: HostVm): Promise<MemoryScanner> {
    const builder = world.session
      .container(world.images.observer, `memscan-${host.name}-${randomBytes(2).toString('hex')}`)
      .withNode(`memscan-${host.name}`, 'forensics')
      .withPidNamespaceOf(host.container)
      .withNetworkNamespaceOf(host.machine.pod)
      .withCapabilities('SYS_PTRACE')
      .withCommand(['sleep', 'infinity']);
    // Joining the machine's namespace goes through the machine (its resolv.conf may be locked).
    const container = await host.machine.admit(() => builder.start());
    return new MemoryScanner(container, host);
  }

  /** Scans every process of the host for the secrets, in every common encoding. */
  async scan(
    secrets: readonly KnownSecret[],
    options: { files?: boolean; sockets?: boolean; pids?: readonly number[] } = {},
  ): Promise<MemoryScan> {
    const needles = secrets
      .flatMap((secret) =>
        secretEncodings(secret.bytes).map(
          (encoded, i) => `${secret.label}${i === 0 ? '' : `#${i}`}=${encoded.toString('hex')}`,
        ),
      )
      .join('\n');
    const args = [
      'scan-memory',
      ...(options.files === true ? ['--files'] : []),
      ...(options.sockets === true ? ['--sockets'] : []),
      ...(options.pids === undefined ? [] : [`--pids=${options.pids.join(',')}`]),
    ];
    const result = await this.container.run(args, { stdin: `${needles}\n`, timeoutMs: 120_000 });
    const parsed = JSON.parse(result.stdout) as Omit<MemoryScan, 'host' | 'foundInMemory'>;
    const foundInMemory = [
      ...new Set(parsed.processes.flatMap((p) => p.hits.map((h) => h.label.replace(/#\d+$/, '')))),
    ];
    return {
      host: this.host.name,
      ...parsed,
      files: parsed.files.map((f) => ({ ...f, label: f.label.replace(/#\d+$/, '') })),
      foundInMemory,
    };
  }

  async detach(): Promise<void> {
    await this.container.remove();
  }
}

/** A scan's result in a line: where each secret was found. */
export function describeScan(scan: MemoryScan): string {
  const hits = scan.processes
    .filter((p) => p.hits.length > 0)
    .map(
      (p) =>
        `pid ${p.pid} (${p.command.slice(0, 40)}): ${p.hits.length} hit(s) [${[...new Set(p.hits.map((h) => h.label))].join(',')}]`,
    );
  const files = scan.files.map((f) => `${f.path} [${f.label}]`);
  const scanned = `${scan.processes.length} process(es)${scan.focus == null ? '' : ` (focused on pid ${scan.focus.join(', ')})`}, ${scan.processes.reduce((n, p) => n + p.bytes, 0)} bytes`;
  return hits.length === 0 && files.length === 0
    ? `nothing found in ${scanned}${scan.filesScanned > 0 ? ` and ${scan.filesScanned} files` : ''}`
    : [...hits, ...files].join('; ');
}
