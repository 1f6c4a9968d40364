import { randomBytes } from 'node:crypto';
import { hostPaths } from '../../harness/contract/host-paths.ts';
import { objectPath, openStoredObject } from '../../harness/checks/probes/data-at-rest.ts';
import { readVmFile, scanVmDisks } from '../../harness/checks/probes/disk-forensics.ts';
import {
  hsmOf,
  kmsOf,
  vmLogLines,
  deviceNotFound,
  hsmSecureLogOnDisk,
} from '../../harness/checks/probes/custody-evidence.ts';
import type { LoadRequest } from '../../harness/checks/probes/store-load.ts';
import { tcpConnect } from '../../harness/checks/probes/tcp-probe.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import type { World } from '../../harness/world/world.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import { type KnownSecret, MemoryScanner } from '../../harness/checks/probes/memory-scan.ts';
import type { KmsKey } from '../../sims/kms/kms.ts';
import type { HsmKeyInspection } from '../../sims/hsm/hsm.ts';

export const names = {
  host: 'vm1',
  /** A host of the same cell whose data key the KMS destroys while it serves. */
  destroyedKeyHost: 'vm3',
  /** A host of the same cell whose data key the KMS revokes for compromise while it serves. */
  compromisedKeyHost: 'vm4',
  /** A host of the same cell whose site file names the KMS abroad as its KMS. */
  namedAbroad: 'vm2',
  kms: 'kms',
  foreignKms: 'kms-abroad',
  hsm: 'hsm-a',
} as const;
/** The zone of the KMS abroad: its observer makes the positive control's connection. */
export const abroadZone = 'abroad';
/** The name the stack gives its data key on the KMS (CONTRACT.md). */
export function dataKeyNameOf(host: string): string {
  return `residency-data-key/${host}`;
}
export const dataKeyName = dataKeyNameOf(names.host);

export interface KmsKeysObservation {
  kms: string;
  identity: string;
  keys: KmsKey[];
  /** The data key's bytes as the harness's KMIP client got them, hex (kept for the checks). */
  dataKeyHex?: string;
  dataKeyUid?: string;
}

/** The keys the host owns on its KMS, read with the harness's own KMIP client. */
export async function observeKmsKeys(context: ScenarioContext): Promise<KmsKeysObservation> {
  const kms = kmsOf(context.world, names.kms);
  const keys = await kms.listKeys(names.host);
  const dataKey = keys.find((k) => k.name === dataKeyName);
  const value = dataKey === undefined ? undefined : await kms.getKey(names.host, dataKey.uid);
  return context.observe('kms-keys', {
    kms: `${kms.name} ${kms.address}:${kms.port}`,
    identity: names.host,
    keys,
    dataKeyHex: value?.value.toString('hex'),
    dataKeyUid: dataKey?.uid,
  });
}

export interface AtRestObservation {
  objectId: string;
  objectFileBytes: number;
  /** Whether the KMS's key opens the object file as AES-256-GCM with the object id as AAD. */
  opensWithKmsKey: boolean;
  matchesPayload: boolean;
  keyFoundIn: string[];
  payloadFoundIn: string[];
  /** How many files of the running host's own view (root, tmpfs, volumes) were read. */
  hostFilesScanned: number;
  /** Whether that scan found the canary the harness planted on the root filesystem. */
  rootCanaryFound: boolean;
}

/**
 * Every file of the running host as it sees them (its root filesystem, tmpfs and volumes, through
 * /proc/PID/root from a harness container in its PID namespace), not only its two disk volumes:
 * an audit trail or a cache on the root filesystem is on the VM's disk as much as the volumes are.
 */
async function scanHostFiles(world: World, host: HostVm, secrets: KnownSecret[]) {
  const canary = await plantRootCanary(host);
  const scanner = await MemoryScanner.attach(world, host);
  try {
    // No process's memory (`pids: []`): the payload is in the store's memory by right.
    const scan = await scanner.scan([...secrets, canary], { files: true, pids: [] });
    return {
      ...scan,
      files: scan.files.filter((f) => f.label !== canary.label),
      canaryFound: scan.files.some((f) => f.label === canary.label),
    };
  } finally {
    await scanner.detach();
  }
}

/** Where the harness plants its canary: the root filesystem, which no disk volume holds. */
export const rootCanaryPath = '/var/log/sovh-root-canary';

/**
 * Random bytes of the harness's own, written from outside the stack (HostRoot) to the host's root
 * filesystem: a scan of the host's files that does not find them did not read the root
 * filesystem, and its "nothing found" there proves nothing.
 */
async function plantRootCanary(host: HostVm): Promise<KnownSecret> {
  const bytes = randomBytes(32);
  const root = await host.openRoot();
  try {
    const result = await root.exec(['sh', '-ec', 'cat > "$1"', 'sh', root.path(rootCanaryPath)], {
      stdin: bytes.toString('hex'),
      timeoutMs: 10_000,
    });
    if (result.exitCode !== 0)
      throw new SovhError(
        'SCENARIO_STEP_FAILED',
        `could not plant the harness's canary at ${rootCanaryPath} in ${host.name} (${result.stderr.trim()})`,
      );
  } finally {
    await root.detach();
  }
  return { label: 'root-canary', bytes };
}

/**
 * How much of the payload's head the disks are scanned for: its random first 32 characters, so
 * that a part of the payload (a preview in a log, a truncated copy) is found as well as the whole.
 */
export const payloadHeadChars = 32;

/** Reads the object file off the data disk, opens it with the KMS's key, scans both disks. */
export async function observeAtRest(
  context: ScenarioContext,
  host: HostVm,
  objectId: string,
  payload: string,
  keyHex: string | undefined,
): Promise<AtRestObservation> {
  const { world } = context;
  const blob = (await readVmFile(world, host, objectPath(objectId))) ?? Buffer.alloc(0);
  const key = keyHex === undefined ? undefined : Buffer.from(keyHex, 'hex');
  const opened = key === undefined ? undefined : openStoredObject(blob, key, objectId);
  const payloadHead = Buffer.from(payload.slice(0, payloadHeadChars));
  const [keyOnDisks, payloadOnDisks, hostFiles] = await Promise.all([
    key === undefined ? Promise.resolve([]) : scanVmDisks(world, host, key),
    scanVmDisks(world, host, payloadHead),
    scanHostFiles(world, host, [
      ...(key === undefined ? [] : [{ label: 'data-key', bytes: key }]),
      { label: 'payload', bytes: payloadHead },
    ]),
  ]);
  const inHostFiles = (label: string) =>
    hostFiles.files.filter((f) => f.label === label).map((f) => f.path);
  return context.observe('at-rest', {
    objectId,
    objectFileBytes: blob.length,
    opensWithKmsKey: opened !== undefined,
    matchesPayload: opened?.toString() === payload,
    keyFoundIn: [...new Set([...keyOnDisks, ...inHostFiles('data-key')])],
    payloadFoundIn: [...new Set([...payloadOnDisks, ...inHostFiles('payload')])],
    hostFilesScanned: hostFiles.filesScanned,
    rootCanaryFound: hostFiles.canaryFound,
  });
}

export interface HsmDependencyObservation {
  /** After a reboot with the HSM's cable cut: did the store answer? */
  servedWithoutHsm: boolean;
  secureLogLines: string[];
  /** After the cable is back and another reboot: the object written before reads back. */
  readBackAfterReconnect: { status: number; matches: boolean };
}

export function observeHsmDependency(
  context: ScenarioContext,
  data: HsmDependencyObservation,
): HsmDependencyObservation {
  return context.observe('hsm-dependency', data);
}

export async function secureLog(context: ScenarioContext, host: HostVm): Promise<string[]> {
  return vmLogLines(context.world, host, hsmSecureLogOnDisk, deviceNotFound);
}

export async function observeHsmKey(context: ScenarioContext): Promise<HsmKeyInspection> {
  return context.observe('hsm-key', await hsmOf(context.world, names.hsm).inspect());
}

export interface ForeignKmsObservation {
  kms: string;
  /** What reached the foreign KMS during the whole run, before the harness's own connection. */
  synCount: number;
  sources: string[];
  /** The positive control: the counter after the harness connected on purpose from abroad. */
  control: { from: string; connected: boolean; synCount: number };
}

/**
 * Counts what reached the KMS abroad, then connects to it on purpose from its own zone's observer
 * and counts again: a counter that does not see the harness's connection proves nothing.
 */
export async function observeForeignKms(context: ScenarioContext): Promise<ForeignKmsObservation> {
  const kms = kmsOf(context.world, names.foreignKms);
  const seen = await kms.connections();
  const probe = await tcpConnect(context.world.observer(abroadZone), kms.address, kms.port);
  const after = await kms.connections();
  return context.observe('foreign-kms', {
    kms: `${kms.name} ${kms.address}:${kms.port}`,
    ...seen,
    control: { from: probe.from, connected: probe.connected, synCount: after.synCount },
  });
}

export interface ClientConfObservation {
  text: string;
  expectedAddress: string;
}

/** The kmip-client's configuration as the stack wrote it (a second witness). */
export async function observeClientConf(
  context: ScenarioContext,
  host: HostVm,
): Promise<ClientConfObservation> {
  const kms = kmsOf(context.world, names.kms);
  // Read from outside the stack (HostRoot), with the harness's own cat.
  const root = await host.openRoot();
  let text: string;
  try {
    const read = await root.exec(['cat', root.path(hostPaths.kmipClientConf)], {
      timeoutMs: 10_000,
    });
    text = read.exitCode === 0 ? read.stdout : '';
  } finally {
    await root.detach();
  }
  return context.observe('kmip-client-conf', {
    text,
    expectedAddress: `${kms.address}:${kms.port}`,
  });
}

/** The store and the HSM while the KMS is down and the HSM comes back (epoch ms). */
export interface KmsOutageObservation {
  kmsStoppedAtMs: number;
  hsmCutAtMs: number;
  hsmHealedAtMs: number;
  /** When the harness began to start the KMS again: the window of the outage ends here. */
  kmsBackBeganAtMs: number;
  /** Store requests from the zone after the HSM came back, while the KMS was still down. */
  requests: LoadRequest[];
  /** When the HSM served a decryption call (C_Decrypt*: an unwrap) after the cut, by its own log. */
  hsmDecryptsAtMs: number[];
  /** When a store write first succeeded after the KMS came back, if it did. */
  servedAgainAtMs?: number;
}
export const kmsOutage = observationKey<KmsOutageObservation>('kms-outage');

/** A load of store requests through the end of a host's data key on the KMS (epoch ms). */
export interface KeyEndObservation {
  uid: string;
  /** What the harness did to the key, as its evidence names it. */
  action: string;
  beganAtMs: number;
  /** When the KMS answered: the key's end is in force from then on. */
  endedAtMs: number;
  /** The key's state on the KMS afterwards; null when the KMS no longer lists it. */
  stateAfter: string | null;
  requests: LoadRequest[];
}
/** vm1's data key revoked for cessation of operation: DEACTIVATED. */
export const kmsRevocation = observationKey<KeyEndObservation>('kms-revocation');
/** vm3's data key destroyed: the KMS deletes the object and answers Item Not Found for it. */
export const kmsDestruction = observationKey<KeyEndObservation>('kms-destruction');
/** vm4's data key revoked for compromise: COMPROMISED, the state a deny-list forgets. */
export const kmsCompromise = observationKey<KeyEndObservation>('kms-compromise');
