import { createDecipheriv, createHash } from 'node:crypto';
import { readVmFile, scanVmDisks } from '../../harness/checks/probes/disk-forensics.ts';
import {
  MemoryScanner,
  type KnownSecret,
  type MemoryScan,
} from '../../harness/checks/probes/memory-scan.ts';
import { tryUnseal } from '../../harness/checks/probes/tpm-evidence.ts';
import { readUps, type UpsRead } from '../../harness/checks/probes/ups-probe.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { sealedPcrs } from '../../harness/contract/site-file.ts';
import { PeriodicTask } from '../../harness/util/periodic-task.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import { StartedKms } from '../../sims/kms/kms.ts';
import type { StartedUps } from '../../sims/ups/ups.ts';

/** Where the contract puts the stack's sealed KEK and wrapped data key (CONTRACT.md). */
const kekPublicPath = '/var/lib/residency/tpm/kek.pub';
const kekPrivatePath = '/var/lib/residency/tpm/kek.priv';
const wrappedDataKeyPath = '/var/lib/residency/keys/dek.wrapped';
const primaryHandle = '0x81000001';
const dataKeyAad = Buffer.from('residency-dek');

/** A short, one-way name for a key in reports: never the key itself. */
export function fingerprint(secret: Buffer): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16);
}

/**
 * Learns the host's data key from outside the stack. Under key custody, from the KMS, with the
 * harness's own KMIP client (the key `residency-data-key/<host>`); with boot binding alone, the
 * harness unseals the KEK with the machine's TPM (under the PCR policy, as the stack must) and
 * unwraps the local data key from the VM disk with it (AES-256-GCM, CONTRACT.md). The keys stay
 * in the harness's memory; the history records their fingerprints ('known-keys').
 */
export async function learnDataKeys(
  context: ScenarioContext,
  host: HostVm,
): Promise<KnownSecret[]> {
  const kms = context.world.allSims().find((sim): sim is StartedKms => sim instanceof StartedKms);
  if (kms !== undefined) {
    const name = `residency-data-key/${host.name}`;
    const key = (await kms.listKeys(host.name)).find((k) => k.name === name);
    if (key === undefined)
      throw new SovhError(
        'KEY_NOT_LEARNT',
        `the KMS ${kms.name} holds no key "${name}" for ${host.name}`,
      );
    const value = await kms.getKey(host.name, key.uid);
    const secrets = [{ label: 'data-key', bytes: value.value }];
    context.observe('known-keys', {
      host: host.name,
      source: `KMIP Get of ${key.uid} from ${kms.name} by the harness's own client`,
      keys: secrets.map((s) => ({
        label: s.label,
        bytes: s.bytes.length,
        sha256: fingerprint(s.bytes),
      })),
    });
    return secrets;
  }
  return learnLocalDataKey(context, host);
}

async function learnLocalDataKey(context: ScenarioContext, host: HostVm): Promise<KnownSecret[]> {
  const [publicPart, privatePart, wrapped] = await Promise.all(
    [kekPublicPath, kekPrivatePath, wrappedDataKeyPath].map((path) =>
      readVmFile(context.world, host, path),
    ),
  );
  if (publicPart === undefined || privatePart === undefined || wrapped === undefined) {
    throw new SovhError(
      'KEY_NOT_LEARNT',
      `host ${host.name} has no sealed KEK or wrapped data key on its disk (${kekPublicPath}, ${wrappedDataKeyPath})`,
    );
  }
  const unsealed = await tryUnseal(
    host.machine.tpm,
    primaryHandle,
    { publicPart, privatePart },
    'pcr-policy',
    sealedPcrs,
  );
  if (!unsealed.ok || unsealed.secret === undefined) {
    throw new SovhError(
      'KEY_NOT_LEARNT',
      `the harness could not unseal ${host.name}'s KEK with the TPM: ${unsealed.detail}`,
    );
  }
  const decipher = createDecipheriv('aes-256-gcm', unsealed.secret, wrapped.subarray(0, 12));
  decipher.setAAD(dataKeyAad);
  decipher.setAuthTag(wrapped.subarray(wrapped.length - 16));
  const dataKey = Buffer.concat([
    decipher.update(wrapped.subarray(12, wrapped.length - 16)),
    decipher.final(),
  ]);
  const secrets = [{ label: 'data-key', bytes: dataKey }];
  context.observe('known-keys', {
    host: host.name,
    source: 'KEK unsealed by the harness with the machine TPM; data key unwrapped from the VM disk',
    keys: secrets.map((s) => ({
      label: s.label,
      bytes: s.bytes.length,
      sha256: fingerprint(s.bytes),
    })),
  });
  return secrets;
}

/** Records one memory scan of a host's processes ('memory-scan'), tagged with a phase. */
export async function observeMemoryScan(
  context: ScenarioContext,
  scanner: MemoryScanner,
  secrets: readonly KnownSecret[],
  phase: string,
  options: { files?: boolean } = {},
): Promise<MemoryScan> {
  const scan = await scanner.scan(secrets, options);
  context.observe('memory-scan', { phase, ...scan });
  return scan;
}

/**
 * Scans again and again until no key is left in any process, or until a scan that started after
 * `deadlineMs` (wall clock) still finds one; every scan is recorded, so the checks can tell when
 * the last key went.
 */
export async function scanUntilClean(
  context: ScenarioContext,
  scanner: MemoryScanner,
  secrets: readonly KnownSecret[],
  phase: string,
  deadlineMs: number,
): Promise<MemoryScan | undefined> {
  for (;;) {
    const startedAtMs = Date.now();
    const scan = await observeMemoryScan(context, scanner, secrets, phase);
    if (scan.foundInMemory.length === 0) return scan;
    // The last scan is one that started after the deadline: a key it finds outlived the bound.
    if (startedAtMs >= deadlineMs) return undefined;
  }
}

/** Scans the VM's disks from outside (forensics) for the keys ('disk-scan'). */
export async function observeDiskScan(
  context: ScenarioContext,
  host: HostVm,
  secrets: readonly KnownSecret[],
  phase: string,
): Promise<string[]> {
  const found: string[] = [];
  for (const secret of secrets)
    found.push(
      ...(await scanVmDisks(context.world, host, secret.bytes)).map(
        (path) => `${path} [${secret.label}]`,
      ),
    );
  context.observe('disk-scan', { phase, host: host.name, found });
  return found;
}

/** Reads the UPS with upsc from the zone's observer at a steady pace ('ups-status' at the end). */
export class UpsWatch {
  readonly reads: UpsRead[] = [];
  private readonly task: PeriodicTask;

  constructor(
    private readonly context: ScenarioContext,
    private readonly ups: StartedUps,
    zone: string,
    intervalMs = 500,
  ) {
    const observer = context.world.observer(zone);
    this.task = new PeriodicTask(intervalMs, async () => {
      this.reads.push(await readUps(observer, ups));
    });
  }

  start(): void {
    this.task.start();
  }

  /** When upsc first showed all the status words, or undefined. */
  firstSeen(words: string[]): number | undefined {
    return this.reads.find((r) => words.every((w) => r.status.includes(w)))?.atMs;
  }

  async stop(): Promise<void> {
    await this.task.stop();
    this.context.observe('ups-status', {
      ups: this.ups.name,
      reads: this.reads.map(({ atMs, ok, status, chargePercent, runtimeS }) => ({
        atMs,
        ok,
        status,
        chargePercent,
        runtimeS,
      })),
      written: await this.ups.statesWritten(),
      schedule: this.ups.model.schedule,
    });
  }
}
