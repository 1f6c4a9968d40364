import { setTimeout as sleep } from 'node:timers/promises';
import type { Check } from '../../harness/checks/check.ts';
import { lastObservation } from '../../harness/checks/check.ts';
import {
  hsmOf,
  probeStoreIfAnswered,
  residencyLogOnDisk,
  vmLogLines,
} from '../../harness/checks/probes/custody-evidence.ts';
import { hsmCalls } from '../../harness/checks/probes/hsm-calls.ts';
import { verdictOf, type Verdict } from '../../harness/checks/verdict.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';

/**
 * A boot after the KMS revoked the data key. The running store drops the key within the
 * revocation bound (revocation-refused-within-bound); the next boot must not bring it back: the
 * contract's boot asks the KMS first and refuses a key it no longer calls ACTIVE. A stack whose boot
 * path tests the state apart from its watch (say, only "destroyed" stops it) unwraps the revoked
 * key through the HSM and serves until its watch drops it again, a second later: the HSM's own log
 * shows the unwrap, whatever the store did after.
 */

/** How long the store is probed from the zone after the reboot began. */
export const revokedBootWatchMs = 8_000;
const probeIntervalMs = 250;
/** Fewer answered probes than this say nothing about the store: the engine was too busy. */
const probesNeeded = 8;

export interface RevokedKeyBootObservation {
  host: string;
  hsm: string;
  bootBeganAtMs: number;
  /** Store probes from the zone during the watch: when, and whether a connection was accepted. */
  probes: { atMs: number; connected: boolean }[];
  /** C_Decrypt* calls in the HSM's own log from the boot on (epoch ms). */
  hsmDecryptsAtMs: number[];
  /** KEY_NOT_ACTIVE lines of the residency log after the watch (a second witness only). */
  keyNotActiveLines: string[];
}
export const revokedKeyBoot = observationKey<RevokedKeyBootObservation>('revoked-key-boot');

/** Reboots the host with its data key revoked on the KMS and watches the store and the HSM. */
export async function observeRevokedKeyBoot(
  context: ScenarioContext,
  host: HostVm,
  hsmName: string,
): Promise<RevokedKeyBootObservation> {
  const { world } = context;
  const machine = host.machine;
  await host.shutdown();
  const bootBeganAtMs = Date.now();
  await host.boot(machine);
  const probes: RevokedKeyBootObservation['probes'] = [];
  while (Date.now() < bootBeganAtMs + revokedBootWatchMs) {
    const probe = await probeStoreIfAnswered(world, host);
    if (probe !== undefined) probes.push({ atMs: Date.now(), connected: probe.connected });
    await sleep(probeIntervalMs);
  }
  const hsmDecryptsAtMs = (await hsmCalls(hsmOf(world, hsmName)))
    .filter((c) => c.call.startsWith('C_Decrypt') && c.atMs >= bootBeganAtMs)
    .map((c) => c.atMs);
  const keyNotActiveLines = await vmLogLines(world, host, residencyLogOnDisk, 'KEY_NOT_ACTIVE');
  return context.observe(revokedKeyBoot, {
    host: host.name,
    hsm: hsmName,
    bootBeganAtMs,
    probes,
    hsmDecryptsAtMs,
    keyNotActiveLines,
  });
}

export const revokedKeyBootCheck: Check = {
  name: 'revoked-key-refused-at-boot',
  description: `A boot after the KMS revoked the data key refuses it: no unwrap at the HSM (its own log) and no connection accepted by the store for ${revokedBootWatchMs} ms from the boot (probed from the zone)`,
  verify(history): Verdict {
    const o = lastObservation(history, revokedKeyBoot).data;
    const accepted = o.probes.filter((p) => p.connected);
    if (o.probes.length < probesNeeded && accepted.length === 0 && o.hsmDecryptsAtMs.length === 0)
      return {
        status: 'unknown',
        summary: `only ${o.probes.length} store probes answered in ${revokedBootWatchMs} ms (at least ${probesNeeded} needed): the store's state after the boot is not known`,
      };
    const firstDecrypt = o.hsmDecryptsAtMs[0];
    const firstAccepted = accepted[0];
    const problems = [
      ...(firstDecrypt !== undefined
        ? [
            `HSM ${o.hsm} served ${o.hsmDecryptsAtMs.length} decryption(s) from +${firstDecrypt - o.bootBeganAtMs} ms after the boot began: the revoked key was unwrapped`,
          ]
        : []),
      ...(firstAccepted !== undefined
        ? [
            `the store accepted ${accepted.length} of ${o.probes.length} connections, first at +${firstAccepted.atMs - o.bootBeganAtMs} ms`,
          ]
        : []),
    ];
    return verdictOf(
      problems.length === 0,
      `the boot refused the revoked key: no unwrap at ${o.hsm}, the store refused all ${o.probes.length} probes in ${revokedBootWatchMs} ms${o.keyNotActiveLines.length > 0 ? '; KEY_NOT_ACTIVE logged' : ''}`,
      problems.join('; '),
      {
        expected: `no C_Decrypt at ${o.hsm} and no store connection accepted from the boot on`,
        observed: `${o.hsmDecryptsAtMs.length} decryption(s); ${accepted.length}/${o.probes.length} connections accepted; ${o.keyNotActiveLines.length} KEY_NOT_ACTIVE line(s)`,
        evidence: [
          {
            source: `C_Decrypt* in ${o.hsm}'s p11-kit RPC log, ms after the boot began`,
            excerpt:
              o.hsmDecryptsAtMs.map((at) => Math.round(at - o.bootBeganAtMs)).join(', ') ||
              '(none)',
          },
          {
            source: `tcp probes of ${o.host}'s store port from the zone observer, ms after the boot began`,
            excerpt: o.probes
              .map((p) => `+${p.atMs - o.bootBeganAtMs}:${p.connected ? 'open' : 'closed'}`)
              .join(' '),
          },
          {
            source: `${residencyLogOnDisk} on the VM disk (second witness)`,
            excerpt: o.keyNotActiveLines.slice(-2).join('\n') || '(none)',
          },
        ],
      },
    );
  },
};
