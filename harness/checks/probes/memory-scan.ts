import { createHash, randomBytes } from 'node:crypto';
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
  /**
   * In a focused scan narrowed to regions, the addresses ("PID@0xADDR") whose regions alone were
   * read (where a key had been found), else null.
   */
  focusAddresses?: string[] | null;
}

export interface ScanOptions {
  /** Also every file of the host's filesystems. */
  files?: boolean;
  /** Also the listening sockets of the machine's network namespace. */
  sockets?: boolean;
  /** Only these processes' memory. */
  pids?: readonly number[];
  /** With `pids`: only their regions that hold one of these addresses (hits of an earlier scan). */
  regions?: readonly KeyHit[];
}

/** Where a scan found a key: a process and an address in it ("0x..."). */
export interface KeyHit {
  pid: number;
  address: string;
}

/** Every place a scan found a key. */
export function keyHits(scan: MemoryScan): KeyHit[] {
  return scan.processes.flatMap((p) => p.hits.map((h) => ({ pid: p.pid, address: h.address })));
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
  /** The needle files written (or being written) into the scanner, by path (their digest). */
  private readonly needleFiles = new Map<string, Promise<void>>();

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
      // Scans are timed against the contract's bounds (keys gone within 2 s): through the channel
      // a scan starts within tens of milliseconds, where an exec of its own took up to 2 s on a
      // loaded machine and left the wipe timed by the exec, not by the stack.
      .withCommandChannel()
      .withCommand(['sleep', 'infinity']);
    // Joining the machine's namespace goes through the machine (its resolv.conf may be locked).
    const container = await host.machine.admit(() => builder.start());
    return new MemoryScanner(container, host);
  }

  /** Scans every process of the host for the secrets, in every common encoding. */
  async scan(secrets: readonly KnownSecret[], options: ScanOptions = {}): Promise<MemoryScan> {
    const needles = secrets
      .flatMap((secret) =>
        secretEncodings(secret.bytes).map(
          (encoded, i) => `${secret.label}${i === 0 ? '' : `#${i}`}=${encoded.toString('hex')}`,
        ),
      )
      .join('\n');
    const needleFile = await this.needleFile(needles);
    const args = [
      'scan-memory',
      `--needles=${needleFile}`,
      ...(options.files === true ? ['--files'] : []),
      ...(options.sockets === true ? ['--sockets'] : []),
      ...(options.pids === undefined ? [] : [`--pids=${options.pids.join(',')}`]),
      ...(options.regions === undefined
        ? []
        : [`--regions=${options.regions.map((r) => `${String(r.pid)}@${r.address}`).join(',')}`]),
    ];
    const result = await this.container.run(args, { timeoutMs: 120_000 });
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

  /**
   * The secrets to look for, written once into the scanner as a file: a command with stdin needs
   * an exec of its own, one that names a file goes through the command channel.
   */
  private async needleFile(needles: string): Promise<string> {
    const path = `/tmp/needles-${createHash('sha256').update(needles).digest('hex').slice(0, 16)}`;
    let written = this.needleFiles.get(path);
    if (written === undefined) {
      written = this.container.writeFile(path, `${needles}\n`, 0o600);
      this.needleFiles.set(path, written);
    }
    await written;
    return path;
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
  const regions =
    scan.focusAddresses == null ? '' : `, the regions of ${scan.focusAddresses.join(', ')}`;
  const scanned = `${scan.processes.length} process(es)${scan.focus == null ? '' : ` (focused on pid ${scan.focus.join(', ')}${regions})`}, ${scan.processes.reduce((n, p) => n + p.bytes, 0)} bytes`;
  return hits.length === 0 && files.length === 0
    ? `nothing found in ${scanned}${scan.filesScanned > 0 ? ` and ${scan.filesScanned} files` : ''}`
    : [...hits, ...files].join('; ');
}
