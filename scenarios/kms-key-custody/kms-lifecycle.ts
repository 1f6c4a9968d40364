import { setTimeout as sleep } from 'node:timers/promises';
import { injectFault } from '../../harness/faults/inject-fault.ts';
import { hsmOf, kmsOf } from '../../harness/checks/probes/custody-evidence.ts';
import { hsmCalls } from '../../harness/checks/probes/hsm-calls.ts';
import { runStoreLoad } from '../../harness/checks/probes/store-load.ts';
import { storeRoundTrip } from '../../harness/checks/probes/store-probe.ts';
import { hsmRefusalBound } from '../../harness/contract/key-custody-bounds.ts';
import { storePort } from '../../harness/contract/site-file.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { waitUntil } from '../../harness/util/wait-until.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import {
  kmsOutage,
  kmsRevocation,
  names,
  type KmsOutageObservation,
  type KmsRevocationObservation,
} from './kms-key-custody-evidence.ts';

/** How long the store is watched after the HSM returns while the KMS is down: many HSM polls. */
export const outageWatchMs = 4_000;
/** The revocation's load: the key is revoked `revokeAfterMs` into it. */
export const revocationPlan = { loadMs: 7_000, revokeAfterMs: 2_500 } as const;
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
  let servedAgainAtMs: number | undefined;
  try {
    await waitUntil(
      async () => {
        const trip = await storeRoundTrip(
          observer,
          host.address,
          storePort,
          `kms-back-${Date.now()}`,
          'written once the KMS is back',
        );
        if (trip.ok) servedAgainAtMs = Date.now();
        return trip.ok ? trip : undefined;
      },
      {
        what: `a write to ${host.name}'s store with the KMS back`,
        expected: 'accepted',
        timeoutMs: servedAgainTimeoutMs,
        intervalMs: 1_000,
      },
    );
  } catch {
    // Recorded as not served again; the check says so.
  }
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

/** Revokes the host's data key on the KMS, with the harness's KMIP client, under a load. */
export async function observeRevocation(
  context: ScenarioContext,
  host: HostVm,
  uid: string,
  standing: { objectId: string; payload: string },
): Promise<KmsRevocationObservation> {
  const kms = kmsOf(context.world, names.kms);
  const load = runStoreLoad(
    context.world.observer('sovereign'),
    target(host, standing),
    revocationPlan.loadMs,
    `revocation-${Date.now()}`,
  );
  load.catch(() => undefined);
  await sleep(revocationPlan.revokeAfterMs);
  const revokeBeganAtMs = Date.now();
  // Cessation of operation, not a compromise: the key becomes DEACTIVATED, which KMIP still lets
  // decrypt what it protected, and which the contract drops like any state but ACTIVE.
  await injectFault(context, 'kms-revocation', {
    kms: names.kms,
    owner: host.name,
    uid,
    reason: 'cessation-of-operation',
  });
  const revokedAtMs = Date.now();
  const stateAfter = (await kms.listKeys(host.name)).find((k) => k.uid === uid)?.state ?? null;
  return context.observe(kmsRevocation, {
    uid,
    revokeBeganAtMs,
    revokedAtMs,
    stateAfter,
    requests: await load,
  });
}
