import { setTimeout as sleep } from 'node:timers/promises';
import { injectFault } from '../../harness/faults/inject-fault.ts';
import { awaitStoreServing, hsmOf, kmsOf } from '../../harness/checks/probes/custody-evidence.ts';
import { hsmCalls } from '../../harness/checks/probes/hsm-calls.ts';
import { runStoreLoad, stopStoreLoad } from '../../harness/checks/probes/store-load.ts';
import { storeRoundTrip } from '../../harness/checks/probes/store-probe.ts';
import { hsmRefusalBound, kmsRevocationBound } from '../../harness/contract/key-custody-bounds.ts';
import { storePort } from '../../harness/contract/site-file.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { waitUntil } from '../../harness/util/wait-until.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import type { StartedContainer } from '../../harness/runtime/started-container.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import {
  dataKeyNameOf,
  kmsCompromise,
  kmsDestruction,
  kmsOutage,
  kmsRevocation,
  names,
  type KeyEndObservation,
  type KmsOutageObservation,
} from './kms-key-custody-evidence.ts';

/** How long the store is watched after the HSM returns while the KMS is down: many HSM polls. */
export const outageWatchMs = 4_000;
/**
 * The revocation's load: the key is revoked `revokeAfterMs` into it, and it goes on for
 * `afterBoundMs` past the contract's bound from the moment the KMS answered, however long the
 * KMS took (a fixed length once left no request past the bound when a loaded machine made the
 * revocation slow); `limitMs` only caps a load whose stop never came.
 */
export const revocationPlan = {
  limitMs: 60_000,
  revokeAfterMs: 2_500,
  afterBoundMs: 2_500,
} as const;
const servedAgainTimeoutMs = 60_000;

function target(host: HostVm, standing: { objectId: string; payload: string }) {
  return [{ host: host.name, address: host.address, port: storePort, standing }];
}

/**
 * The KMS goes down while the store serves; then the HSM is cut and comes back, so that the stack
 * must unwrap the data key again. Without the KMS's word it must not: the store is watched with a
 * load from the zone, and the HSM's own log says whether it served a decryption. Then the KMS
 * returns and the store must serve again.
 */
export async function observeKmsOutage(
  context: ScenarioContext,
  host: HostVm,
  standing: { objectId: string; payload: string },
): Promise<KmsOutageObservation> {
  const { world } = context;
  const hsm = hsmOf(world, names.hsm);
  const observer = world.observer('sovereign');
  // First a cut and its heal with the KMS up: the recovery asks the KMS, which says ACTIVE. The
  // recovery with the KMS down must ask again: a stack that keeps the first word for the boot
  // unwraps then without it.
  const reconnectFirst = await injectFault(context, 'hsm-cut', { hsm: names.hsm });
  await sleep(2 * hsmRefusalBound.contract);
  await reconnectFirst();
  await awaitWriteAccepted(observer, host, 'HSM');
  const kmsBack = await injectFault(context, 'kms-outage', { kms: names.kms });
  const kmsStoppedAtMs = Date.now();
  const reconnectHsm = await injectFault(context, 'hsm-cut', { hsm: names.hsm });
  const hsmCutAtMs = Date.now();
  // Past the contract's HSM bound (no stack may loosen it) the key is dropped: hsm-cable-cut
  // proves it; twice that, so that the HSM watch has surely seen the loss.
  await sleep(2 * hsmRefusalBound.contract);
  await reconnectHsm();
  const hsmHealedAtMs = Date.now();
  const requests = await runStoreLoad(
    observer,
    target(host, standing),
    outageWatchMs,
    `kms-down-${Date.now()}`,
  );
  const kmsBackBeganAtMs = Date.now();
  await kmsBack();
  // Recorded as not served again when it does not; the check says so.
  const servedAgainAtMs = await awaitWriteAccepted(observer, host, 'KMS').catch(() => undefined);
  const decrypts = (await hsmCalls(hsm))
    .filter((c) => c.call.startsWith('C_Decrypt') && c.atMs >= hsmCutAtMs)
    .map((c) => c.atMs);
  return context.observe(kmsOutage, {
    kmsStoppedAtMs,
    hsmCutAtMs,
    hsmHealedAtMs,
    kmsBackBeganAtMs,
    requests,
    hsmDecryptsAtMs: decrypts,
    ...(servedAgainAtMs === undefined ? {} : { servedAgainAtMs }),
  });
}

/**
 * Writes to a host's store a second apart, once `device` (HSM or KMS) is back, until one is
 * accepted; when it was, epoch ms.
 */
async function awaitWriteAccepted(
  observer: StartedContainer,
  host: HostVm,
  device: 'HSM' | 'KMS',
): Promise<number> {
  await waitUntil(
    async () => {
      const trip = await storeRoundTrip(
        observer,
        host.address,
        storePort,
        `${device.toLowerCase()}-back-${Date.now()}`,
        `written once the ${device} is back`,
      );
      return trip.ok ? trip : undefined;
    },
    {
      what: `a write to ${host.name}'s store with the ${device} back`,
      expected: 'accepted',
      timeoutMs: servedAgainTimeoutMs,
      intervalMs: 1_000,
    },
  );
  return Date.now();
}

/** How the harness ends a host's data key on the KMS. */
export type KeyEnding = 'revocation' | 'compromise' | 'destruction';

/** What each ending does on the KMS, as the evidence names it, and where it is recorded. */
const endings = {
  revocation: {
    observation: kmsRevocation,
    action: (uid: string) =>
      `kmip-admin revoke ${uid} (reason: cessation of operation, the key DEACTIVATED)`,
  },
  compromise: {
    observation: kmsCompromise,
    action: (uid: string) =>
      `kmip-admin revoke ${uid} (reason: key compromise, the key COMPROMISED)`,
  },
  destruction: {
    observation: kmsDestruction,
    action: (uid: string) => `kmip-admin destroy ${uid} (the KMS deletes the key)`,
  },
} as const;

/**
 * Something the harness looks at on the host while its key ends: once before the end, and once
 * from when the end must be in force (the KMS's answer plus the revocation bound).
 */
export interface KeyEndWatch {
  beforeEnd(): Promise<void>;
  onceInForce(endedAtMs: number): Promise<void>;
}

/** A host that serves, an object it stores, and its data key's KMIP id: ready for the key's end. */
export interface KeyEndTarget {
  host: HostVm;
  uid: string;
  standing: { objectId: string; payload: string };
}

/**
 * Waits for the host to serve, stores an object there, and finds its data key on the KMS with the
 * harness's KMIP client (the host's own identity).
 */
export async function prepareKeyEnd(context: ScenarioContext, host: HostVm): Promise<KeyEndTarget> {
  const { world } = context;
  await awaitStoreServing(world, host, servedAgainTimeoutMs);
  const standing = {
    objectId: `key-end-${host.name}-${Date.now()}`,
    payload: `stored on ${host.name} before its data key ends`,
  };
  const trip = await storeRoundTrip(
    world.observer('sovereign'),
    host.address,
    storePort,
    standing.objectId,
    standing.payload,
  );
  if (!trip.ok)
    throw new SovhError(
      'SCENARIO_STEP_FAILED',
      `the store round trip on ${host.name} failed: ${trip.detail}`,
    );
  const key = (await kmsOf(world, names.kms).listKeys(host.name)).find(
    (k) => k.name === dataKeyNameOf(host.name),
  );
  if (key === undefined)
    throw new SovhError(
      'SCENARIO_STEP_FAILED',
      `${host.name}'s data key (${dataKeyNameOf(host.name)}) was not found on the KMS`,
    );
  return { host, uid: key.uid, standing };
}

/**
 * Ends the host's data key on the KMS, with the harness's KMIP client, under a load from the zone:
 * a revocation for cessation of operation (the key DEACTIVATED, which KMIP still lets decrypt what
 * it protected, and which the contract drops like any state but ACTIVE), a revocation for
 * compromise (COMPROMISED: a stack that lists the states it refuses rather than the one it
 * accepts forgets it), or a destruction (the KMS deletes the object and answers Item Not Found
 * for it).
 */
export async function observeKeyEnd(
  context: ScenarioContext,
  { host, uid, standing }: KeyEndTarget,
  ending: KeyEnding,
  watch?: KeyEndWatch,
): Promise<KeyEndObservation> {
  const kms = kmsOf(context.world, names.kms);
  const observer = context.world.observer('sovereign');
  const stamp = `${ending}-${host.name}-${Date.now()}`;
  const stopFile = `/tmp/stop-key-end-load-${stamp}`;
  const load = runStoreLoad(
    observer,
    target(host, standing),
    revocationPlan.limitMs,
    stamp,
    stopFile,
  );
  load.catch(() => undefined);
  await Promise.all([sleep(revocationPlan.revokeAfterMs), watch?.beforeEnd()]);
  const beganAtMs = Date.now();
  const where = { kms: names.kms, owner: host.name, uid };
  if (ending === 'destruction') await injectFault(context, 'kms-destruction', where);
  else
    await injectFault(context, 'kms-revocation', {
      ...where,
      reason: ending === 'compromise' ? 'key-compromise' : 'cessation-of-operation',
    });
  const endedAtMs = Date.now();
  const stateAfter = (await kms.listKeys(host.name)).find((k) => k.uid === uid)?.state ?? null;
  await watch?.onceInForce(endedAtMs);
  await sleep(
    Math.max(0, endedAtMs + kmsRevocationBound.contract + revocationPlan.afterBoundMs - Date.now()),
  );
  await stopStoreLoad(observer, stopFile);
  return context.observe(endings[ending].observation, {
    uid,
    action: endings[ending].action(uid),
    beganAtMs,
    endedAtMs,
    stateAfter,
    requests: await load,
  });
}
