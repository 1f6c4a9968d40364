import { createHash } from 'node:crypto';
import { openGcm } from '../../harness/checks/probes/data-at-rest.ts';
import { readVmFile, scanVmDisks } from '../../harness/checks/probes/disk-forensics.ts';
import {
  MemoryScanner,
  type KnownSecret,
  keyHits,
  type KeyHit,
  type MemoryScan,
  type ScanOptions,
} from '../../harness/checks/probes/memory-scan.ts';
import { tryUnseal } from '../../harness/checks/probes/tpm-evidence.ts';
import { readUps, type UpsRead } from '../../harness/checks/probes/ups-probe.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { sealedPcrs } from '../../harness/contract/site-file.ts';
import { hostPorts, sovereignServicePorts } from '../../harness/contract/host-ports.ts';
import { PeriodicTask } from '../../harness/util/periodic-task.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import { StartedKms } from '../../sims/kms/kms.ts';
import { StartedSovereignApi } from '../../sims/sovereign-api/sovereign-api.ts';
import { localDataKey } from '../../harness/contract/local-data-key.ts';
import { withoutCanaryInMemory } from './file-canary.ts';
import { knownKeys, sovereignPorts, type SovereignPorts } from './power-observations.ts';
import type { StartedUps } from '../../sims/ups/ups.ts';

/** Where the contract puts the stack's sealed KEK and wrapped data key (CONTRACT.md). */
const kekPublicPath = '/var/lib/residency/tpm/kek.pub';
const kekPrivatePath = '/var/lib/residency/tpm/kek.priv';
const wrappedDataKeyPath = localDataKey.path;
const primaryHandle = '0x81000001';

/** A short, one-way name for a key in reports: never the key itself. */
export function fingerprint(secret: Buffer): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16);
}

/** A key the harness learnt, where from, and whether the stack must hold it while it serves. */
export interface LearntSecret extends KnownSecret {
  source: string;
  /**
   * Held in memory while the host serves (the data key, the zone keys): the scan before the
   * outage must find it, or a clean scan later proves nothing. The KEK is needed only at boot.
   */
  heldWhileServing: boolean;
}

/**
 * Learns every key the contract lets the host hold, from outside the stack: the KEK, unsealed by
 * the harness itself with the machine's TPM under the PCR policy from the sealed object on the VM
 * disk; the data key, from the KMS with the harness's own KMIP client (the key
 * `residency-data-key/<host>`), or, with boot binding alone, unwrapped from the VM disk with that
 * KEK (AES-256-GCM, CONTRACT.md); and every envelope key of the host's zone, from the zone's key
 * service, where the harness provisioned it. The keys stay in the harness's memory; the history
 * records their fingerprints ('known-keys').
 */
export async function learnSecrets(
  context: ScenarioContext,
  host: HostVm,
): Promise<LearntSecret[]> {
  const kek = await unsealKek(context, host);
  const secrets: LearntSecret[] = [
    await learnDataKey(context, host, kek),
    {
      label: 'kek',
      bytes: kek,
      source: `unsealed by the harness with ${host.machine.name}'s TPM (PCR policy)`,
      heldWhileServing: false,
    },
    ...(await learnZoneKeys(context, host)),
  ];
  context.observe(knownKeys, {
    host: host.name,
    keys: secrets.map((s) => ({
      label: s.label,
      bytes: s.bytes.length,
      sha256: fingerprint(s.bytes),
      source: s.source,
      heldWhileServing: s.heldWhileServing,
    })),
  });
  return secrets;
}

async function learnDataKey(
  context: ScenarioContext,
  host: HostVm,
  kek: Buffer,
): Promise<LearntSecret> {
  const kms = context.world.allSims().find((sim): sim is StartedKms => sim instanceof StartedKms);
  if (kms === undefined) return learnLocalDataKey(context, host, kek);
  const name = `residency-data-key/${host.name}`;
  const key = (await kms.listKeys(host.name)).find((k) => k.name === name);
  if (key === undefined)
    throw new SovhError(
      'KEY_NOT_LEARNT',
      `the KMS ${kms.name} holds no key "${name}" for ${host.name}`,
    );
  const value = await kms.getKey(host.name, key.uid);
  return {
    label: 'data-key',
    bytes: value.value,
    source: `KMIP Get of ${key.uid} from ${kms.name} by the harness's own client`,
    heldWhileServing: true,
  };
}

/** Every zone envelope key the host's site file lets it fetch, from its key service. */
async function learnZoneKeys(context: ScenarioContext, host: HostVm): Promise<LearntSecret[]> {
  const services = context.world
    .allSims()
    .filter(
      (sim): sim is StartedSovereignApi =>
        sim instanceof StartedSovereignApi && 'envelope' in sim.siteSection(host.spec),
    );
  return Promise.all(
    services.map(async (service) => {
      const key = await service.zoneKey();
      return {
        label: `zone-key/${key.keyId}`,
        bytes: key.key,
        source: `the zone key service ${service.name} (the harness's copy)`,
        heldWhileServing: true,
      };
    }),
  );
}

/** The host's KEK, unsealed by the harness with the machine's TPM from the sealed parts on its disk. */
export async function unsealKek(context: ScenarioContext, host: HostVm): Promise<Buffer> {
  const [publicPart, privatePart] = await Promise.all(
    [kekPublicPath, kekPrivatePath].map((path) => readVmFile(context.world, host, path)),
  );
  if (publicPart === undefined || privatePart === undefined)
    throw new SovhError(
      'KEY_NOT_LEARNT',
      `host ${host.name} has no sealed KEK on its disk (${kekPublicPath}, ${kekPrivatePath})`,
    );
  const unsealed = await tryUnseal(
    host.machine.tpm,
    primaryHandle,
    { publicPart, privatePart },
    'pcr-policy',
    sealedPcrs,
  );
  if (!unsealed.ok || unsealed.secret === undefined)
    throw new SovhError(
      'KEY_NOT_LEARNT',
      `the harness could not unseal ${host.name}'s KEK with the TPM: ${unsealed.detail}`,
    );
  return unsealed.secret;
}

async function learnLocalDataKey(
  context: ScenarioContext,
  host: HostVm,
  kek: Buffer,
): Promise<LearntSecret> {
  const wrapped = await readVmFile(context.world, host, wrappedDataKeyPath);
  if (wrapped === undefined)
    throw new SovhError(
      'KEY_NOT_LEARNT',
      `host ${host.name} has no wrapped data key on its disk (${wrappedDataKeyPath})`,
    );
  const dataKey = openGcm(wrapped, kek, localDataKey.aad);
  if (dataKey === undefined)
    throw new SovhError(
      'KEY_NOT_LEARNT',
      `the KEK the harness unsealed does not open ${host.name}'s ${wrappedDataKeyPath}`,
    );
  return {
    label: 'data-key',
    bytes: dataKey,
    source: 'unwrapped by the harness from the VM disk with the KEK it unsealed',
    heldWhileServing: true,
  };
}

/** Records one memory scan of a host's processes ('memory-scan'), tagged with a phase. */
export async function observeMemoryScan(
  context: ScenarioContext,
  scanner: MemoryScanner,
  secrets: readonly KnownSecret[],
  phase: string,
  options: ScanOptions = {},
): Promise<MemoryScan> {
  const scan = withoutCanaryInMemory(await scanner.scan(secrets, options));
  context.observe('memory-scan', { phase, ...scan });
  return scan;
}

/**
 * The sovereign service ports the contract has this host listen on, from the harness's own
 * topology: the store, the envelope relay and the metrics agent always; the GeoIP gate when a
 * sovereign API of its zone sits behind the gate.
 */
export function sovereignPortsOf(context: ScenarioContext, host: HostVm): SovereignPorts {
  const gated = context.world
    .allSims()
    .some(
      (sim) =>
        sim instanceof StartedSovereignApi &&
        sim.options.gateBackend &&
        'sovereignApis' in sim.siteSection(host.spec),
    );
  const ports = sovereignServicePorts.filter((port) => gated || port !== hostPorts.geoGate);
  return context.observe(sovereignPorts, { host: host.name, ports: [...ports] });
}

/** How often the scans through the outage also read every filesystem of the host. */
const fileScanIntervalMs = 2_000;
/** The pace of whole passes where no timing is judged (see scanThroughOutage). */
const outagePassPaceMs = 1_000;

/** Waits up to `ms`, and less as soon as `stopped()` (checked every 100 ms). */
async function pauseUnless(ms: number, stopped: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until && !stopped())
    await new Promise((resolve) => setTimeout(resolve, Math.min(100, until - Date.now())));
}

/**
 * Scans the host again and again from the mains failure until `untilMs` (the battery runs dry),
 * so that a key that comes back after a clean scan is seen: its memory and its listening sockets
 * on every pass; once `filesFromMs()` says when (the end of the wipe bound, which the file checks
 * judge from), every filesystem of the host every couple of seconds and its VM disks from outside
 * once. Before that, passes read memory and sockets only, so that they bracket the wipe closely.
 * From `focusFromMs()` (the UPS reported the critical status) to the end of the bound, a pass that
 * found a key is followed by passes over only the memory regions where it found one, until they
 * are clean: a whole pass takes most of a second on a loaded machine (a whole process a few
 * hundred milliseconds), and the bound is two seconds, so only focused passes time the wipe to a
 * fraction of one. The next whole pass must be clean too, or
 * the key is still (or again) in memory. `stopped` ends the scans early (the host is about to
 * lose power). Every scan is recorded ('memory-scan', phase 'outage').
 */
export async function scanThroughOutage(
  context: ScenarioContext,
  scanner: MemoryScanner,
  secrets: readonly KnownSecret[],
  times: {
    filesFromMs: () => number | undefined;
    focusFromMs?: () => number | undefined;
    untilMs: number;
    stopped?: () => boolean;
    /** Until when nothing is expected to happen (the critical status is due later). */
    quietUntilMs?: number;
  },
): Promise<void> {
  const stopped = () => times.stopped?.() === true;
  let filesAtMs = -Infinity;
  let disksScanned = false;
  let hits: KeyHit[] = [];
  while (Date.now() < times.untilMs && !stopped()) {
    const filesFrom = times.filesFromMs();
    const due = filesFrom !== undefined && Date.now() >= filesFrom;
    const focusFrom = times.focusFromMs?.();
    if (!due && focusFrom !== undefined && Date.now() >= focusFrom && hits.length > 0) {
      const focused = await observeMemoryScan(context, scanner, secrets, 'outage', {
        sockets: true,
        pids: [...new Set(hits.map((hit) => hit.pid))],
        regions: hits,
      });
      hits = keyHits(focused);
      continue;
    }
    const files = due && Date.now() - filesAtMs >= fileScanIntervalMs;
    if (files) filesAtMs = Date.now();
    const scan = await observeMemoryScan(context, scanner, secrets, 'outage', {
      files,
      sockets: true,
    });
    hits = keyHits(scan);
    if (due && !disksScanned) {
      await observeDiskScan(context, scanner.host, secrets, 'after-wipe');
      disksScanned = true;
    }
    // Back to back only where the timing is judged: from shortly before the critical status is
    // due until the keys are gone. Before, and once the bound has passed with every key gone, a
    // pass a second is enough to see a key that comes back, and leaves the machine's CPU to the
    // stack (a whole pass keeps a core busy).
    const early =
      times.quietUntilMs !== undefined &&
      focusFrom === undefined &&
      Date.now() < times.quietUntilMs;
    const settled = due && disksScanned && hits.length === 0;
    if (early || settled)
      await pauseUnless(
        Math.min(
          outagePassPaceMs,
          (early ? (times.quietUntilMs ?? 0) : times.untilMs) - Date.now(),
        ),
        stopped,
      );
  }
  if (!disksScanned) await observeDiskScan(context, scanner.host, secrets, 'after-wipe');
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
