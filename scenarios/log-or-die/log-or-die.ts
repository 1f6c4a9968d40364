import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { auditOf } from '../../harness/checks/probes/audit-evidence.ts';
import {
  awaitStoreServing,
  probeStoreIfAnswered,
} from '../../harness/checks/probes/custody-evidence.ts';
import { storeRoundTrip } from '../../harness/checks/probes/store-probe.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { boundValue } from '../../harness/scenario/scenario-bounds.ts';
import { storePort } from '../../harness/contract/site-file.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import type { World } from '../../harness/world/world.ts';
import { MemoryScanner } from '../../harness/checks/probes/memory-scan.ts';
import {
  learnSecrets,
  observeMemoryScan,
  sovereignPortsOf,
} from '../power-thermal/power-evidence.ts';
import { haltScanPhases, keysWipedAtHalt } from './halt-wipe-check.ts';
import { injectFault } from '../../harness/faults/inject-fault.ts';
import { auditRoomBytes, haltBound, logOrDieChecks } from './log-or-die-checks.ts';
import { observed, observeStoreState, type PostFillWrite } from './log-or-die-evidence.ts';

const here = dirname(fileURLToPath(import.meta.url));
const bootTimeoutMs = 120_000;
const writesBeforeFill = 3;
const writesAfterFill = 4;
/**
 * What the fill leaves free: below the contract's 16 KiB, where the stack must halt, but room
 * enough for a few more records. A stack whose threshold is "no space left", or 16 bytes where
 * the contract says 16 KiB, still finds room there and keeps writing; on a disk filled to the
 * last byte it would have been refused all the same.
 */
const leaveFreeBytes = 12 * 1024;
const probeIntervalMs = 250;
/** The wipe scan starts this long after the halt is due: a scan's start is when it is judged. */
const scanAfterDueMs = 100;

/** The host whose store takes writes right after the fill: the write must find the disk full. */
const writer = 'vm1';
/** The host that takes no write after its fill: only the stack's own watch can halt it. */
const quiet = 'vm2';

/**
 * Probes a host's store port from its zone until `until` says stop: when it first refused a
 * connection, and how many probes it accepted after that.
 */
async function watchStorePort(
  world: World,
  vm: HostVm,
  until: (haltedAtMs: number | undefined) => boolean,
): Promise<{ haltedAtMs: number | undefined; reopened: number }> {
  let haltedAtMs: number | undefined;
  let reopened = 0;
  while (!until(haltedAtMs)) {
    const probe = await probeStoreIfAnswered(world, vm);
    if (probe !== undefined && !probe.connected && haltedAtMs === undefined)
      haltedAtMs = Date.now();
    if (probe?.connected === true && haltedAtMs !== undefined) reopened += 1;
    await sleep(probeIntervalMs);
  }
  return { haltedAtMs, reopened };
}

/**
 * The manual's Log-Or-Die: when the audit log can no longer be written (its disk short of room),
 * the sovereign services halt and no further write is accepted. The harness fills two hosts'
 * audit disks (real, size-limited volumes) to just under the contract's level and checks from
 * outside that no write reaches the store unaudited: one host is written to at once (the write
 * must find the disk full), the other is left alone (its own watch must halt it).
 */
export default defineScenario({
  name: 'log-or-die',
  description:
    'Fill the audit disk: the next write is refused, the sovereign services stop, no write reaches the store unaudited',
  needs: ['kernel-audit', 'cap:AUDIT_CONTROL', 'cap:AUDIT_READ', 'cap:SYS_ADMIN', 'cap:SYS_PTRACE'],
  sections: ['audit', 'store'],
  contractBounds: [haltBound],
  topology: {
    zones: [{ name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.46.0.0/16'] }],
    services: [
      { name: 'audit', kind: 'audit', zone: 'sovereign', options: { auditDiskKib: 1024 } },
    ],
    hosts: [
      { name: writer, zone: 'sovereign' },
      { name: quiet, zone: 'sovereign' },
    ],
  },
  async run(context) {
    const { world } = context;
    const vms = [world.host(writer), world.host(quiet)];
    const [vm, quietVm] = vms as [HostVm, HostVm];
    const audit = auditOf(world, 'audit');
    const observer = world.observer('sovereign');
    const stamp = Date.now();

    await context.step('the hosts serve and take audited writes', async () => {
      await Promise.all(
        vms.map(async (host) => {
          await awaitStoreServing(world, host, bootTimeoutMs);
          for (let i = 1; i <= writesBeforeFill; i += 1) {
            const trip = await storeRoundTrip(
              observer,
              host.address,
              storePort,
              `before-fill-${host.name}-${stamp}-${i}`,
              `audited record ${i}`,
            );
            if (!trip.ok)
              throw new SovhError(
                'SCENARIO_STEP_FAILED',
                `write ${i} to ${host.name} before the fill failed: ${trip.detail}`,
              );
          }
        }),
      );
    });

    // The positive control of the wipe check: the keys and the listeners the scan must see while
    // the quiet host serves, learnt from outside the stack.
    const { scanner, secrets } = await context.step(
      `learn ${quiet}'s keys from outside the stack; scan its memory while it serves`,
      async () => {
        const learnt = await learnSecrets(context, quietVm);
        sovereignPortsOf(context, quietVm);
        const attached = await MemoryScanner.attach(world, quietVm);
        try {
          await observeMemoryScan(context, attached, learnt, haltScanPhases.serving, {
            sockets: true,
          });
        } catch (error) {
          await attached.detach().catch(() => undefined);
          throw error;
        }
        return { scanner: attached, secrets: learnt };
      },
    );

    const fill = async (host: HostVm): Promise<number> => {
      await injectFault(context, 'audit-disk-full', {
        host: host.name,
        'free-kib': leaveFreeBytes / 1024,
      });
      const at = Date.now();
      context.observe(observed.auditDiskFilled, {
        host: host.name,
        filledAtMs: at,
        bytesWritten: await audit.auditFillBytes(host.name),
        freeBytesAfter: await audit.auditDiskFreeBytes(host.name),
        thresholdBytes: auditRoomBytes,
      });
      return at;
    };

    await context.step(
      `fill ${quiet}'s audit disk and write nothing: its store must halt by itself`,
      async () => {
        const filledAtMs = await fill(quietVm);
        const deadline = filledAtMs + boundValue(context.history, haltBound) + 2_000;
        const halt = await watchStorePort(
          world,
          quietVm,
          (haltedAtMs) => haltedAtMs !== undefined || Date.now() >= deadline,
        );
        context.observe(observed.halt, {
          host: quiet,
          writesDuringWatch: false,
          ...halt,
          filledAtMs,
        });
        // Once the halt is due, the graceful shutdown must have wiped the keys too.
        const dueMs = filledAtMs + boundValue(context.history, haltBound) + scanAfterDueMs;
        await sleep(Math.max(0, dueMs - Date.now()));
        try {
          await observeMemoryScan(context, scanner, secrets, haltScanPhases.due, {
            sockets: true,
          });
        } finally {
          await scanner.detach().catch(() => undefined);
        }
      },
    );

    const filledAtMs = await context.step(`fill ${writer}'s audit disk`, () => fill(vm));

    await context.step('write after the fill; watch the store halt', async () => {
      const deadline = filledAtMs + boundValue(context.history, haltBound) + 2_000;
      // The port is probed from the fill on, beside the writes, so a slow write cannot hide when
      // the store halted.
      const watchHalt = watchStorePort(world, vm, () => Date.now() >= deadline);
      // Awaited below; a failed write must not leave its rejection unhandled.
      watchHalt.catch(() => undefined);
      const writes: PostFillWrite[] = [];
      for (let i = 1; i <= writesAfterFill; i += 1) {
        const objectId = `after-fill-${stamp}-${i}`;
        const trip = await storeRoundTrip(
          observer,
          vm.address,
          storePort,
          objectId,
          `must not be stored ${i}`,
        );
        writes.push({ objectId, atMs: Date.now(), status: trip.putStatus, detail: trip.detail });
        await sleep(300);
      }
      context.observe(observed.postFillWrites, { host: writer, filledAtMs, writes });
      context.observe(observed.halt, {
        host: writer,
        writesDuringWatch: true,
        ...(await watchHalt),
        filledAtMs,
      });
    });

    await context.step('read the data disks and the audit records', async () => {
      const fills = context.history.observations(observed.auditDiskFilled, { track: false });
      for (const host of vms) {
        const at = fills.find((f) => f.data.host === host.name)?.data.filledAtMs ?? filledAtMs;
        await observeStoreState(context, host, audit, at);
      }
    });
  },
  checks: [...logOrDieChecks, keysWipedAtHalt],
  mutants: [
    {
      name: 'store-ignores-audit',
      description: 'The store keeps accepting writes when its audit trail cannot be written',
      expectFailing: [
        'write-refused-after-audit-full',
        'no-unaudited-write',
        'services-halted',
        'log-or-die-logged',
      ],
      stackPatch: join(here, 'mutants', 'store-ignores-audit.patch'),
    },
    {
      name: 'audit-room-in-bytes',
      description:
        'The Log-Or-Die level is 16 bytes where the contract says 16 KiB: the stack halts only on a disk with no room at all',
      // Not services-halted: the writes after the fill may use up the room left, and a write that
      // then cannot append its record halts the store in time.
      expectFailing: [
        'write-refused-after-audit-full',
        'halts-with-no-write',
        'no-unaudited-write',
        'log-or-die-logged',
      ],
      stackPatch: join(here, 'mutants', 'audit-room-in-bytes.patch'),
    },
    {
      name: 'audit-watch-interval-in-ms',
      description:
        "The audit disk's watch sleeps 500 s, its interval written in milliseconds: only a write finds the disk full",
      expectFailing: ['halts-with-no-write', 'log-or-die-logged'],
      stackPatch: join(here, 'mutants', 'audit-watch-interval-in-ms.patch'),
    },
    {
      name: 'halt-keeps-keys',
      description:
        'Log-Or-Die stops the sovereign services but skips the key wipe: "a full disk is no reason to throw keys away"',
      expectFailing: ['keys-wiped-at-halt'],
      stackPatch: join(here, 'mutants', 'halt-keeps-keys.patch'),
    },
    {
      name: 'store-trail-on-data-disk',
      description:
        "The store's audit trail is written to the residency log directory, not to the audit disk",
      expectFailing: ['writes-recorded-on-audit-disk'],
      stackPatch: join(here, 'mutants', 'store-trail-on-data-disk.patch'),
    },
  ],
});
