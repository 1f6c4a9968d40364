import { hostPaths } from '../../harness/contract/host-paths.ts';
import { readVmFile, scanVmDisks } from '../../harness/checks/probes/disk-forensics.ts';
import { storeRead, storeRoundTrip } from '../../harness/checks/probes/store-probe.ts';
import { tcpConnect } from '../../harness/checks/probes/tcp-probe.ts';
import {
  readPersistentKey,
  inspectSealedObject,
  tryUnseal,
} from '../../harness/checks/probes/tpm-evidence.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { sealedPcrs, storePort } from '../../harness/contract/site-file.ts';
import { waitUntil } from '../../harness/util/wait-until.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import type { TpmCommand } from '../../harness/checks/probes/tpm-bus.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';

/** Where the contract puts the stack's TPM artefacts on the VM disk (CONTRACT.md). */
export const kekPublicPath = '/var/lib/residency/tpm/kek.pub';
export const kekPrivatePath = '/var/lib/residency/tpm/kek.priv';
export const auditLogPath = '/var/lib/residency/log/audit.log';
export const primaryHandle = '0x81000001';

const bootOutcomeTimeoutMs = 60_000;
/** After the outcome is known, how long a refused service gets to show up anyway. */
const settleMs = 3_000;

export type BootOutcome = 'serving' | 'refused';

/**
 * How many LOCALIZATION_MISMATCH lines each host's residency log held when its last boot's
 * outcome was known: the log is on the VM disk and outlives boots, so only a line beyond these
 * is the refusal of the boot being waited for.
 */
const mismatchesSeen = new WeakMap<HostVm, number>();

async function mismatchCount(context: ScenarioContext, host: HostVm): Promise<number> {
  const log = (await readVmFile(context.world, host, hostPaths.residencyLog))?.toString() ?? '';
  return log.split('\n').filter((l) => l.includes('LOCALIZATION_MISMATCH')).length;
}

/**
 * Waits until a freshly booted host either serves (its store port accepts from its zone's
 * observer) or says it refused: a new LOCALIZATION_MISMATCH line in the residency log the
 * contract names, read off the VM disk. The log line only ends the wait; the verdict rests on
 * the probes. Each call waits for the host's next boot after the previous call.
 */
export async function awaitBootOutcome(
  context: ScenarioContext,
  host: HostVm,
): Promise<BootOutcome> {
  const observer = context.world.observer(host.machine.spec.zone);
  const waitStartedAt = Date.now();
  const outcome = await waitUntil(
    async (): Promise<BootOutcome | undefined> => {
      const probe = await tcpConnect(observer, host.address, storePort, 2);
      if (probe.connected) return 'serving';
      const seen = mismatchesSeen.get(host) ?? 0;
      return (await mismatchCount(context, host)) > seen ? 'refused' : undefined;
    },
    {
      what: `host ${host.name} on ${host.machine.name}`,
      expected: 'serving or refusing',
      timeoutMs: bootOutcomeTimeoutMs,
      // Each try is an exec in a container: a second apart keeps a boot wait cheap.
      intervalMs: 1_000,
    },
  );
  // For the report's plots: what each boot came to, and how long after the boot it showed.
  context.sample(`${host.name} boot outcome`, `${outcome} on ${host.machine.name}`, {
    chart: 'boot outcomes (store probe from the zone observer, or the refusal)',
  });
  context.sample(`${host.name} on ${host.machine.name}`, (Date.now() - waitStartedAt) / 1000, {
    unit: 's',
    chart: 'time from boot to serving or refusing',
  });
  if (outcome === 'refused') await new Promise((resolve) => setTimeout(resolve, settleMs));
  mismatchesSeen.set(host, await mismatchCount(context, host));
  return outcome;
}

export interface ServiceProbeObservation {
  phase: string;
  host: string;
  machine: string;
  /** From the machine's own board (the TPM container shares its loopback): is anything listening? */
  loopback: Awaited<ReturnType<typeof tcpConnect>>;
  /** From the zone's observer, over the zone network. */
  network: Awaited<ReturnType<typeof tcpConnect>>;
}

/** Records whether the host's store answers, seen from its machine's loopback and from its zone. */
export async function observeService(
  context: ScenarioContext,
  host: HostVm,
  phase: string,
): Promise<ServiceProbeObservation> {
  const observer = context.world.observer(host.machine.spec.zone);
  const [loopback, network] = await Promise.all([
    tcpConnect(host.machine.tpm.container, '127.0.0.1', storePort),
    tcpConnect(observer, host.address, storePort),
  ]);
  return context.observe('service-probe', {
    phase,
    host: host.name,
    machine: host.machine.name,
    loopback,
    network,
  });
}

export async function observeRoundTrip(
  context: ScenarioContext,
  host: HostVm,
  phase: string,
  objectId: string,
  payload: string,
) {
  const observer = context.world.observer(host.machine.spec.zone);
  const result = await storeRoundTrip(observer, host.address, storePort, objectId, payload);
  return context.observe('store-roundtrip', {
    phase,
    host: host.name,
    machine: host.machine.name,
    ...result,
  });
}

export interface ReadBackObservation {
  phase: string;
  host: string;
  machine: string;
  objectId: string;
  ok: boolean;
  status: number;
  detail: string;
}

/** Reads back, without writing, an object written earlier: data at rest survived intact. */
export async function observeReadBack(
  context: ScenarioContext,
  host: HostVm,
  phase: string,
  objectId: string,
  payload: string,
): Promise<ReadBackObservation> {
  const observer = context.world.observer(host.machine.spec.zone);
  const read = await storeRead(observer, host.address, storePort, objectId);
  const ok = read.status === 200 && read.body === payload;
  return context.observe('store-readback', {
    phase,
    host: host.name,
    machine: host.machine.name,
    objectId,
    ok,
    status: read.status,
    detail: `GET /objects/${objectId} ${read.status}${read.status === 200 ? (ok ? ', same bytes' : ', DIFFERENT bytes') : ` ${read.detail}`}`,
  });
}

export interface PrimaryKeyObservation {
  machine: string;
  fromTpm: Omit<Awaited<ReturnType<typeof readPersistentKey>>, 'output'>;
  /** The qualified name the stack recorded in its audit log at setup, read from the VM disk. */
  recordedQualifiedName: string | undefined;
  auditLine: string | undefined;
  /** The evidence files kept: the TPM's account of the key and the stack's audit log. */
  attachments?: { tpm: string; audit: string };
}

export async function observePrimaryKey(
  context: ScenarioContext,
  host: HostVm,
): Promise<PrimaryKeyObservation> {
  const machine = host.machine.name;
  const { output, ...fromTpm } = await readPersistentKey(host.machine.tpm, primaryHandle);
  const audit = (await readVmFile(context.world, host, auditLogPath))?.toString() ?? '';
  const auditLine = audit.split('\n').find((l) => /qualified_name=/.test(l));
  const recordedQualifiedName =
    auditLine === undefined ? undefined : /qualified_name=([0-9a-f]+)/.exec(auditLine)?.[1];
  const attachments = {
    tpm: context.attach(
      `tpm-primary-key-${machine}.txt`,
      `# tpm2_readpublic -c ${primaryHandle}, run by the harness in the TPM of machine ${machine}\n${output ?? fromTpm.detail}\n`,
      'text/plain',
      {
        description: `The TPM primary key of ${machine} with its qualified name, read from the TPM`,
      },
    ).name,
    audit: context.attach(`audit-log-${host.name}.txt`, audit, 'text/plain', {
      description: `${auditLogPath} of ${host.name}, read off the VM disk`,
    }).name,
  };
  return context.observe('tpm-primary-key', {
    machine,
    fromTpm,
    recordedQualifiedName,
    auditLine,
    attachments,
  });
}

export interface SealedKekObservation {
  phase: string;
  machine: string;
  present: boolean;
  inspection?: Awaited<ReturnType<typeof inspectSealedObject>>;
  withPolicy?: Omit<Awaited<ReturnType<typeof tryUnseal>>, 'secret'>;
  withoutAuth?: Omit<Awaited<ReturnType<typeof tryUnseal>>, 'secret'>;
  /** Files on the VM's disks that hold the KEK in clear (raw, hex or base64). */
  kekFoundIn?: string[];
}

/**
 * The harness's own account of the sealed KEK: read it off the VM disk, decode it, and try to
 * unseal it in the TPM of the machine the VM is on, first as the policy demands, then with no
 * authorization at all. What unseals is searched for on the VM's disks.
 */
export async function observeSealedKek(
  context: ScenarioContext,
  host: HostVm,
  phase: string,
): Promise<SealedKekObservation> {
  const { world } = context;
  const tpm = host.machine.tpm;
  const [publicPart, privatePart] = await Promise.all([
    readVmFile(world, host, kekPublicPath),
    readVmFile(world, host, kekPrivatePath),
  ]);
  const base = { phase, machine: host.machine.name };
  if (publicPart === undefined || privatePart === undefined) {
    return context.observe('sealed-kek', { ...base, present: false });
  }
  const inspection = await inspectSealedObject(tpm, publicPart, sealedPcrs);
  const sealed = { publicPart, privatePart };
  const withPolicy = await tryUnseal(tpm, primaryHandle, sealed, 'pcr-policy', sealedPcrs);
  const withoutAuth = await tryUnseal(tpm, primaryHandle, sealed, 'no-auth', sealedPcrs);
  const secret = withPolicy.secret ?? withoutAuth.secret;
  const kekFoundIn = secret === undefined ? undefined : await scanVmDisks(world, host, secret);
  const strip = ({ secret: _secret, ...rest }: Awaited<ReturnType<typeof tryUnseal>>) => rest;
  return context.observe('sealed-kek', {
    ...base,
    present: true,
    inspection,
    withPolicy: strip(withPolicy),
    withoutAuth: strip(withoutAuth),
    kekFoundIn,
  });
}

/** The stack's residency log lines that mention LOCALIZATION_MISMATCH, read off the VM disk. */
export async function observeMismatchLog(context: ScenarioContext, host: HostVm, phase: string) {
  const log = (await readVmFile(context.world, host, hostPaths.residencyLog))?.toString() ?? '';
  const lines = log.split('\n').filter((l) => l.includes('LOCALIZATION_MISMATCH'));
  const attachment = context.attach(`residency-log-${host.name}-${phase}.txt`, log, 'text/plain', {
    description: `${hostPaths.residencyLog} of ${host.name} after the ${phase} boot, read off the VM disk`,
  }).name;
  return context.observe('localization-mismatch-log', {
    phase,
    host: host.name,
    count: lines.length,
    lines,
    attachment,
  });
}

/** The boot under a replaced primary key, as the machine's TPM bus saw it. */
export interface ReplacedPrimaryBootObservation {
  bootAtMs: number;
  /** The qualified name at the handle after the replacement, read by the harness. */
  replacedQualifiedName: string | undefined;
  /** Every TPM command on the bus from the boot until the outcome was seen. */
  commands: TpmCommand[];
  /** What the capture may have missed (TpmBusRecord.gaps); absent in older records. */
  gaps?: string[];
}
export const replacedPrimaryBoot =
  observationKey<ReplacedPrimaryBootObservation>('replaced-primary-boot');

export function observeReplacedPrimaryBoot(
  context: ScenarioContext,
  data: ReplacedPrimaryBootObservation,
): ReplacedPrimaryBootObservation {
  return context.observe(replacedPrimaryBoot, data);
}
