import { z } from 'zod';
import type { StartedContainer } from '../../harness/runtime/started-container.ts';
import type { PlacedHost } from '../../harness/topology/topology-validator.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import { simImage } from '../images.ts';
import type { HostAttachments, SimKind, StartedSim } from '../sim-kind.ts';
import { parseAuditLog, type AuditEvent } from './audit-records.ts';

/** Where a host sees the machine's audit service (CONTRACT.md, "Audit watch and Log-Or-Die"). */
export const auditHostPaths = {
  rulesDir: '/etc/audit/rules.d',
  disk: '/var/log/audit',
  log: '/var/log/audit/audit.log',
  activeRules: '/var/log/audit/rules.active',
} as const;

export const auditOptions = z
  .object({
    /** The hosts whose audit this service runs; by default every host of the world. */
    hosts: z.array(z.string()).optional(),
    /** The size of each host's audit disk, a tmpfs volume that really fills up. */
    auditDiskKib: z.number().int().min(256).max(262_144).default(2048),
    /**
     * Hosts whose watch rules the daemon never loads (as a daemon that is down, or rejects them,
     * would): their disks are mounted and their rules.active stays empty, so their stack must
     * keep its store closed and say AUDIT_WATCH_INACTIVE.
     */
    rulesNeverLoaded: z.array(z.string()).default([]),
  })
  .strict();
export type AuditOptions = z.output<typeof auditOptions>;

/** The capabilities the audit daemon needs, each for one reason (see image/auditor). */
export const auditCapabilities = [
  'AUDIT_CONTROL',
  'AUDIT_READ',
  'SYS_ADMIN',
  'SYS_PTRACE',
] as const;

const readyTimeoutMs = 20_000;

/**
 * The machine's audit subsystem for the hosts of a run: one daemon in the machine's PID namespace
 * that loads each host's watch rules against that host's disks and writes each host's records to
 * its audit disk (a small tmpfs volume: the Log-Or-Die scenario fills it) and to its own journal.
 */
export class StartedAudit implements StartedSim {
  readonly kind = 'audit';
  readonly address = '';

  constructor(
    readonly name: string,
    readonly container: StartedContainer,
    private readonly volumes: ReadonlyMap<string, { disk: string; rules: string }>,
    private readonly diskKib: number,
    /** Where the daemon mounts the hosts' disks; unique to the run, since rules are known by path. */
    private readonly root: string,
    /** The hosts whose rules it never loads. */
    private readonly unloaded: readonly string[] = [],
  ) {}

  get facts(): Record<string, string> {
    return {
      mechanism:
        'kernel audit (auditctl watches on the hosts\u2019 data disks), records from the audit multicast group',
      hosts: [...this.volumes.keys()].join(','),
      auditDiskKib: String(this.diskKib),
      ...(this.unloaded.length > 0 ? { rulesNeverLoaded: this.unloaded.join(',') } : {}),
    };
  }

  serves(host: PlacedHost): boolean {
    return this.volumes.has(host.name);
  }

  siteSection(host: PlacedHost): Record<string, unknown> {
    if (!this.serves(host)) return {};
    return {
      audit: {
        rulesDir: auditHostPaths.rulesDir,
        log: auditHostPaths.log,
        activeRules: auditHostPaths.activeRules,
      },
    };
  }

  hostAttachments(host: PlacedHost): HostAttachments {
    const volumes = this.volumes.get(host.name);
    if (volumes === undefined) return {};
    return {
      volumes: [
        { source: volumes.disk, target: auditHostPaths.disk },
        { source: volumes.rules, target: auditHostPaths.rulesDir },
      ],
    };
  }

  private hostRoot(host: string): string {
    if (!this.volumes.has(host)) {
      throw new SovhError(
        'NOT_AUDITED',
        `the audit service ${this.name} does not serve host ${host}; it serves ${[...this.volumes.keys()].join(', ')}`,
      );
    }
    return `${this.root}/${host}`;
  }

  /** Every record the daemon routed to a host, from its own journal (unaffected by a full disk). */
  async journal(host: string): Promise<AuditEvent[]> {
    this.hostRoot(host);
    const result = await this.container.exec(['cat', `/var/log/auditor/${host}.log`], {
      timeoutMs: 10_000,
    });
    return parseAuditLog(result.exitCode === 0 ? result.stdout : '');
  }

  /** The host's own audit log, as it lies on the host's audit disk. */
  async hostLog(host: string): Promise<{ text: string; events: AuditEvent[] }> {
    const text = await this.auditDiskFile(host, 'audit.log');
    return { text, events: parseAuditLog(text) };
  }

  /** The watch rules the kernel holds for a host (auditctl -l), in the host's own paths. */
  async kernelRules(host: string): Promise<string[]> {
    const root = this.hostRoot(host);
    const result = await this.container.run(['auditctl', '-l'], { timeoutMs: 10_000 });
    return result.stdout
      .split('\n')
      .filter((line) => line.includes(` ${root}/`))
      .map((line) => line.replace(`${root}/`, '/'));
  }

  /**
   * Fills the host's audit disk, then gives `leaveFreeBytes` back (0: to the last byte); returns
   * the bytes the fill holds. Leaving some room tests a stack's threshold, not only a disk that
   * refuses every byte: a stack that waits for "no space left" would still find room.
   */
  async fillAuditDisk(host: string, leaveFreeBytes = 0): Promise<number> {
    const fill = `${this.hostRoot(host)}/audit/.fill`;
    const script = [
      `dd if=/dev/zero of="$1" bs=4k 2>/dev/null`,
      `size=$(stat -c %s "$1")`,
      `truncate -s $((size > $2 ? size - $2 : 0)) "$1"`,
      'sync',
    ].join('; ');
    await this.container.exec(['sh', '-c', script, 'fill', fill, String(leaveFreeBytes)], {
      timeoutMs: 30_000,
    });
    return this.auditFillBytes(host);
  }

  /** The bytes fillAuditDisk holds on the host's audit disk now (0 when it holds none). */
  async auditFillBytes(host: string): Promise<number> {
    const fill = `${this.hostRoot(host)}/audit/.fill`;
    const size = await this.container.exec(['stat', '-c', '%s', fill], { timeoutMs: 10_000 });
    return size.exitCode === 0 ? Number(size.stdout.trim()) : 0;
  }

  /**
   * A file of the host's audit disk as it lies there (read by the machine, not the host), or ''
   * when it does not exist. `name` is relative to the disk.
   */
  async auditDiskFile(host: string, name: string): Promise<string> {
    const result = await this.container.exec(['cat', `${this.hostRoot(host)}/audit/${name}`], {
      timeoutMs: 10_000,
    });
    return result.exitCode === 0 ? result.stdout : '';
  }

  /**
   * Puts a directory where a file of the host's audit disk was (`name` relative to the disk), with
   * the disk's room untouched: the next append to it fails with EISDIR, as one to a disk gone
   * read-only or out of inodes would fail, whatever the free bytes say. The file is kept aside on
   * the same disk, for makeAuditFileWritable.
   */
  async makeAuditFileUnwritable(host: string, name: string): Promise<void> {
    const path = `${this.hostRoot(host)}/audit/${name}`;
    const script = 'if [ -f "$1" ]; then mv "$1" "$2"; fi && mkdir "$1"';
    await this.container.run(['sh', '-c', script, 'unwritable', path, keptAside(path)], {
      timeoutMs: 10_000,
    });
  }

  /** Undoes makeAuditFileUnwritable: the directory goes, the file kept aside comes back. */
  async makeAuditFileWritable(host: string, name: string): Promise<void> {
    const path = `${this.hostRoot(host)}/audit/${name}`;
    const script = 'if [ -d "$1" ]; then rm -rf "$1"; fi && if [ -f "$2" ]; then mv "$2" "$1"; fi';
    await this.container.run(['sh', '-c', script, 'writable', path, keptAside(path)], {
      timeoutMs: 10_000,
    });
  }

  /** Frees what fillAuditDisk took. */
  async freeAuditDisk(host: string): Promise<void> {
    await this.container.run(['rm', '-f', `${this.hostRoot(host)}/audit/.fill`], {
      timeoutMs: 10_000,
    });
  }

  /** Free bytes on the host's audit disk. */
  async auditDiskFreeBytes(host: string): Promise<number> {
    const result = await this.container.run(
      ['df', '-B1', '--output=avail', `${this.hostRoot(host)}/audit`],
      { timeoutMs: 10_000 },
    );
    return Number(result.stdout.trim().split('\n').pop() ?? 'NaN');
  }
}

/** Where makeAuditFileUnwritable keeps a file while a directory takes its place. */
function keptAside(path: string): string {
  return `${path}.kept-aside`;
}

export const auditKind: SimKind<AuditOptions> = {
  kind: 'audit',
  description:
    "The machine's audit subsystem for a run's hosts: kernel audit watches per host and each host's audit disk",
  image: simImage('audit'),
  options: auditOptions,
  async start(request) {
    const { session, service } = request;
    const chosen = (request.hosts ?? []).filter(
      (h) => service.options.hosts?.includes(h.host.name) ?? true,
    );
    const unknown = (service.options.hosts ?? []).filter(
      (name) => !chosen.some((h) => h.host.name === name),
    );
    if (unknown.length > 0) {
      throw new SovhError(
        'AUDIT_UNKNOWN_HOST',
        `audit service ${service.name}: options.hosts names ${unknown.join(', ')}, which are not hosts of the topology`,
      );
    }
    const unserved = service.options.rulesNeverLoaded.filter(
      (name) => !chosen.some((h) => h.host.name === name),
    );
    if (unserved.length > 0) {
      throw new SovhError(
        'AUDIT_UNKNOWN_HOST',
        `audit service ${service.name}: options.rulesNeverLoaded names ${unserved.join(', ')}, which it does not serve; name hosts of the topology that options.hosts includes`,
      );
    }
    const root = `/watch/${session.id}`;
    const sizeOption = {
      type: 'tmpfs',
      device: 'tmpfs',
      o: `size=${service.options.auditDiskKib}k`,
    };
    const volumes = new Map(
      await Promise.all(
        chosen.map(async ({ host }) => {
          const [disk, rules] = await Promise.all([
            session.createVolume(`${host.name}-audit-disk`, {}, sizeOption),
            session.createVolume(`${host.name}-audit-rules`),
          ]);
          return [host.name, { disk, rules }] as const;
        }),
      ),
    );
    let builder = session
      .container(request.image, service.name)
      .withNode(service.name, 'sim:audit')
      .withHostPidNamespace()
      .withCapabilities(...auditCapabilities)
      .withEnvironment({
        AUDIT_HOSTS: JSON.stringify([...volumes.keys()]),
        AUDIT_UNLOADED_HOSTS: JSON.stringify(service.options.rulesNeverLoaded),
        AUDIT_ROOT: root,
      })
      .withInit()
      .withStartupCheck((c) => c.waitForLog(/AUDITOR_READY/, readyTimeoutMs).then(() => undefined));
    for (const { host, dataVolume } of chosen) {
      const own = volumes.get(host.name);
      if (own === undefined) continue;
      builder = builder
        .withVolume(dataVolume, `${root}/${host.name}/data`, { readOnly: true })
        .withVolume(own.disk, `${root}/${host.name}/audit`)
        .withVolume(own.rules, `${root}/${host.name}/rules`, { readOnly: true });
    }
    const container = await builder.start();
    return new StartedAudit(
      service.name,
      container,
      volumes,
      service.options.auditDiskKib,
      root,
      service.options.rulesNeverLoaded,
    );
  },
};
