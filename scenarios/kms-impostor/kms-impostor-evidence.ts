import { setTimeout as sleep } from 'node:timers/promises';
import { probeStoreIfAnswered } from '../../harness/checks/probes/custody-evidence.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import type { KmsOptions, StartedKms } from '../../sims/kms/kms.ts';

/** The harness's own KMIP client talks to the server over loopback (kmip-admin). */
const harnessSource = '127.0.0.1';
/** How long the host has to try the KMS once it listens: its KMIP client retries every 0.5 s. */
const attemptTimeoutMs = 60_000;
/** Connection attempts to see before judging: the first, and one after a failed handshake. */
const attemptsToSee = 2;
/**
 * How long the harness watches after those attempts. A client that got through sends its first
 * request within milliseconds of its handshake (the reference's Create); this leaves a loaded
 * machine seconds for it.
 */
const watchMs = 5_000;

/** What an impostor KMS saw of a host that has it in its site file, from the KMS's side. */
export interface ImpostorKmsObservation {
  /** What is wrong with the KMS's certificate (the KMS simulator's `serverCertificate`). */
  certificate: KmsOptions['serverCertificate'];
  host: string;
  hostAddress: string;
  kms: string;
  /**
   * Connection attempts to the KMIP port from the network since the server listened, counted by
   * the KMS's kernel. The host is the only node whose site file names this KMS.
   */
  attempts: number;
  /** Sources of the connections the server accepted, from its log. */
  acceptedFrom: string[];
  /** The KMIP operations the server processed on sessions from the host's address. */
  hostOperations: string[];
  /** The harness's own request (over loopback, trusting the impostor's signer) is in the log. */
  controlLogged: boolean;
  /** Whether the host's store accepted a connection afterwards; undefined: the probe did not finish. */
  storeServing: boolean | undefined;
}

/**
 * Watches a host booting against a KMS whose certificate it must refuse (another signer, or
 * another KMS's name):
 * waits until the server listens and the host has tried it twice, gives a client that got
 * through a few seconds to ask, then reads the server's own log of processed operations. Then
 * the control: the harness's own request, which must show in that log.
 */
export async function observeImpostorKms(
  context: ScenarioContext,
  host: HostVm,
  kms: StartedKms,
  certificate: ImpostorKmsObservation['certificate'],
): Promise<ImpostorKmsObservation> {
  await kms.waitUntilListening();
  // Attempts counted before the server listened met a closed port, not the impostor.
  const before = (await kms.connections()).synCount;
  const deadline = Date.now() + attemptTimeoutMs;
  let attempts = 0;
  while (attempts < attemptsToSee && Date.now() < deadline) {
    await sleep(500);
    attempts = (await kms.connections()).synCount - before;
  }
  await sleep(watchMs);
  const { synCount, sources } = await kms.connections();
  const fromHost = (await kms.requests()).filter((r) => r.source === host.address);
  const controlFrom = Date.now();
  await kms.listKeys(host.name);
  const controlLogged = (await kms.requests()).some(
    (r) => r.source === harnessSource && r.atMs >= controlFrom - 1_000,
  );
  const store = await probeStoreIfAnswered(context.world, host);
  return context.observe('impostor-kms', {
    certificate,
    host: host.name,
    hostAddress: host.address,
    kms: `${kms.name} ${kms.address}:${String(kms.port)}`,
    attempts: synCount - before,
    acceptedFrom: sources,
    hostOperations: fromHost.map((r) => r.operation),
    controlLogged,
    storeServing: store?.connected,
  } satisfies ImpostorKmsObservation);
}
