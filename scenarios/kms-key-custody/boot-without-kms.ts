import { setTimeout as sleep } from 'node:timers/promises';
import { lastObservation, MissingEvidence, type Check } from '../../harness/checks/check.ts';
import { awaitStoreServing, hsmOf, kmsOf } from '../../harness/checks/probes/custody-evidence.ts';
import { hsmCalls } from '../../harness/checks/probes/hsm-calls.ts';
import { machineProbe } from '../../harness/checks/probes/machine-probe.ts';
import {
  runStoreLoad,
  stopStoreLoad,
  type LoadRequest,
} from '../../harness/checks/probes/store-load.ts';
import { storeRoundTrip } from '../../harness/checks/probes/store-probe.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { storePort } from '../../harness/contract/site-file.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { waitUntil } from '../../harness/util/wait-until.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import { installCounter, readCounter, removeCounter } from './kms-attempt-counter.ts';
import { names } from './kms-key-custody-evidence.ts';
import { served, timeline } from './load-timeline.ts';

/**
 * A boot that cannot reach its KMS. The contract's boot asks the KMS for the data key's state
 * before it unwraps, and waits up to 90 s for an answer; a stack that gives up on the KMS sooner and
 * opens with the wrapped key on its disk ("a KMS blip must not keep a host down") serves a key the
 * KMS may have revoked meanwhile. Every other boot of the run reaches a KMS that answers.
 *
 * The KMS itself stays up (the other hosts of the cell use it): in the booting host's namespace the
 * harness answers each of its connections toward the KMS with a TCP reset, so the host meets a KMS
 * that refuses at once, the quickest failure there is. (A KMS whose address is gone costs each
 * attempt PyKMIP's 30 s socket timeout; a fallback after that long would need a longer silence.)
 */

/** How long the KMS stays unreachable after the boot's first packet toward it: past a short fallback. */
export const kmsSilenceAfterAskMs = 10_000;
/** How long the boot has to reach its question to the KMS. */
const askTimeoutMs = 60_000;
/** How long the store has, once the KMS answers again, to serve. */
const servedTimeoutMs = 60_000;

export interface BootWithoutKmsObservation {
  host: string;
  bootBeganAtMs: number;
  /** The boot's first packet toward the KMS, counted in its namespace; undefined: none in time. */
  askedAtMs?: number;
  /** Packets toward the KMS while it was unreachable. */
  attemptsWhileDown: number | undefined;
  /** When the harness let the host reach the KMS again. */
  kmsBackBeganAtMs: number;
  /** A load from the zone from the boot until the store served with the KMS back. */
  requests: LoadRequest[];
  /** C_Decrypt* calls in the HSM's own log from the boot until the KMS was reachable again (epoch ms). */
  hsmDecryptsWhileDownAtMs: number[];
}
export const bootWithoutKms = observationKey<BootWithoutKmsObservation>('boot-without-kms');

/**
 * Reboots the host with its connections toward the KMS refused, a load from the zone running, and a
 * counter of those packets in its namespace (ahead of any fence). The KMS is let through a while
 * after the boot first asked it; then the same boot must go on and serve.
 */
export async function observeBootWithoutKms(
  context: ScenarioContext,
  host: HostVm,
  /**
   * The other hosts of the HSM: each must have stored a write before the boot. The HSM's log does
   * not tell its links' hosts apart, so another host's unwrap (its recovery from a fault before)
   * must be over before the window that counts this boot's calls opens.
   */
  neighbours: readonly HostVm[],
): Promise<BootWithoutKmsObservation> {
  const { world } = context;
  const kms = kmsOf(world, names.kms);
  const observer = world.observer('sovereign');
  const machine = host.machine;
  // The machine's address outlives the host's boots; the host itself is gone while it is down.
  const target = { host: host.name, address: host.address, port: storePort };
  for (const neighbour of neighbours)
    await waitUntil(
      async () => {
        const id = `settled-${neighbour.name}-${String(Date.now())}`;
        const trip = await storeRoundTrip(observer, neighbour.address, storePort, id, id);
        return trip.ok ? true : undefined;
      },
      {
        what: `a write stored by ${neighbour.name} before ${host.name}'s boot without the KMS`,
        expected: 'stored (its data key back in memory)',
        timeoutMs: servedTimeoutMs,
        intervalMs: 500,
      },
    );
  const probe = await machineProbe(world, machine);
  try {
    await host.shutdown();
    await installCounter(probe, kms.address, kms.port, { refuse: true });
    const stopFile = `/tmp/boot-without-kms-${String(Date.now())}`;
    const load = runStoreLoad(
      observer,
      [target],
      askTimeoutMs + kmsSilenceAfterAskMs + servedTimeoutMs,
      `boot-without-kms-${String(Date.now())}`,
      stopFile,
    );
    load.catch(() => undefined);
    const bootBeganAtMs = Date.now();
    await host.boot(machine);
    const askedAtMs = await waitUntil(
      async () => (((await readCounter(probe)) ?? 0) > 0 ? Date.now() : undefined),
      {
        what: `${host.name}'s first packet toward the KMS during its boot`,
        expected: 'counted in its namespace',
        timeoutMs: askTimeoutMs,
        intervalMs: 250,
      },
    ).catch(() => undefined);
    if (askedAtMs !== undefined) await sleep(kmsSilenceAfterAskMs);
    const attemptsWhileDown = await readCounter(probe);
    const kmsBackBeganAtMs = Date.now();
    await removeCounter(probe);
    await awaitStoreServing(world, host, servedTimeoutMs).catch(() => undefined);
    // A few rounds of the load against the serving store: the positive control of the load.
    await sleep(1_500);
    await stopStoreLoad(observer, stopFile);
    const decrypts = (await hsmCalls(hsmOf(world, names.hsm)))
      .filter(
        (c) =>
          c.call.startsWith('C_Decrypt') && c.atMs >= bootBeganAtMs && c.atMs < kmsBackBeganAtMs,
      )
      .map((c) => c.atMs);
    return context.observe(bootWithoutKms, {
      host: host.name,
      bootBeganAtMs,
      ...(askedAtMs === undefined ? {} : { askedAtMs }),
      attemptsWhileDown,
      kmsBackBeganAtMs,
      requests: await load,
      hsmDecryptsWhileDownAtMs: decrypts,
    });
  } finally {
    await removeCounter(probe);
  }
}

export const bootWaitsForKmsCheck: Check = {
  name: 'boot-waits-for-kms',
  description: `A boot that meets a KMS it cannot reach (every connection refused) neither serves nor unwraps while it is unreachable (${kmsSilenceAfterAskMs / 1000} s past the boot's first packet toward it), and serves once it can reach the KMS again: the boot waits for the KMS's word (up to 90 s), it does not open with the wrapped key on its disk`,
  verify(history) {
    const o = lastObservation(history, bootWithoutKms).data;
    const whileDown = o.requests.filter(
      (r) => r.startedAtMs >= o.bootBeganAtMs && r.atMs < o.kmsBackBeganAtMs,
    );
    const servedDown = whileDown.filter(served);
    const after = o.requests.filter((r) => r.startedAtMs >= o.kmsBackBeganAtMs);
    const problems: string[] = [];
    if (servedDown.length > 0)
      problems.push(
        `${servedDown.length} of ${whileDown.length} requests served while the KMS was unreachable (${timeline(servedDown.slice(0, 3), o.bootBeganAtMs)}, ms from the boot)`,
      );
    if (o.hsmDecryptsWhileDownAtMs.length > 0)
      problems.push(
        `the HSM logged ${o.hsmDecryptsWhileDownAtMs.length} C_Decrypt* call(s) while the KMS was unreachable, first ${o.hsmDecryptsWhileDownAtMs
          .slice(0, 3)
          .map((at) => `+${Math.round(at - o.bootBeganAtMs)} ms`)
          .join(', ')} from the boot`,
      );
    if (problems.length === 0) {
      if (o.askedAtMs === undefined || (o.attemptsWhileDown ?? 0) === 0)
        throw new MissingEvidence(
          bootWithoutKms.name,
          `the boot sent nothing toward the KMS within ${askTimeoutMs / 1000} s, so it never met the unreachable KMS`,
        );
      if (whileDown.length === 0)
        throw new MissingEvidence(
          bootWithoutKms.name,
          'no request of the load ran while the KMS was unreachable',
        );
      if (!after.some(served))
        problems.push(
          `the store did not serve within ${servedTimeoutMs / 1000} s of the KMS being reachable again: the boot gave up instead of waiting for the KMS`,
        );
    }
    const firstServedAfter = after.find(served);
    return verdictOf(
      problems.length === 0,
      `nothing served and nothing unwrapped for ${Math.round(o.kmsBackBeganAtMs - (o.askedAtMs ?? o.bootBeganAtMs))} ms past the boot's first packet toward the unreachable KMS; served ${firstServedAfter === undefined ? '?' : Math.round(firstServedAfter.atMs - o.kmsBackBeganAtMs)} ms after it was reachable again`,
      problems.join('; '),
      {
        expected:
          'no request served and no HSM decryption from the boot until the KMS is reachable; the same boot serves once it is',
        observed: `first packet toward the KMS ${o.askedAtMs === undefined ? 'never' : `+${Math.round(o.askedAtMs - o.bootBeganAtMs)} ms`} from the boot (${o.attemptsWhileDown ?? '?'} while refused); ${whileDown.length - servedDown.length}/${whileDown.length} refused while unreachable; ${after.filter(served).length}/${after.length} served after`,
        evidence: [
          {
            source: `load from the zone observer against ${o.host}, ms from the boot`,
            excerpt: timeline([...whileDown.slice(-4), ...after.slice(0, 4)], o.bootBeganAtMs),
          },
        ],
      },
    );
  },
};
