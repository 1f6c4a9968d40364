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
import { haltBound, logOrDieChecks } from './log-or-die-checks.ts';
import {
  observed,
  observeStoreState,
  type HaltObservation,
  type PostFillWrite,
} from './log-or-die-evidence.ts';

const here = dirname(fileURLToPath(import.meta.url));
const bootTimeoutMs = 120_000;
const writesBeforeFill = 3;
const writesAfterFill = 4;

/**
 * The manual's Log-Or-Die: when the audit log can no longer be written (its disk full), the
 * sovereign services halt and no further write is accepted. The harness fills the host's audit
 * disk (a real, size-limited volume) and checks from outside that no write reaches the store
 * unaudited: by the store's answers, the data disk and the audit daemon's own journal.
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
    hosts: [{ name: 'vm1', zone: 'sovereign' }],
  },
  async run(context) {
    const { world } = context;
    const vm = world.host('vm1');
    const audit = auditOf(world, 'audit');
    const observer = world.observer('sovereign');
    const stamp = Date.now();

    await context.step('the host serves and takes audited writes', async () => {
      await awaitStoreServing(world, vm, bootTimeoutMs);
      for (let i = 1; i <= writesBeforeFill; i += 1) {
        const trip = await storeRoundTrip(
          observer,
          vm.address,
          storePort,
          `before-fill-${stamp}-${i}`,
          `audited record ${i}`,
        );
        if (!trip.ok)
          throw new SovhError(
            'SCENARIO_STEP_FAILED',
            `write ${i} before the fill failed: ${trip.detail}`,
          );
      }
    });

    const filledAtMs = await context.step("fill the host's audit disk", async () => {
      const bytesWritten = await audit.fillAuditDisk(vm.name);
      const at = Date.now();
      context.observe(observed.auditDiskFilled, {
        host: vm.name,
        filledAtMs: at,
        bytesWritten,
        freeBytesAfter: await audit.auditDiskFreeBytes(vm.name),
      });
      return at;
    });

    await context.step('write after the fill; watch the store halt', async () => {
      const deadline = filledAtMs + boundValue(context.history, haltBound) + 2_000;
      // The port is probed from the fill on, beside the writes, so a slow write cannot hide when
      // the store halted.
      const watchHalt = (async (): Promise<HaltObservation> => {
        let haltedAtMs: number | undefined;
        let reopened = 0;
        while (Date.now() < deadline) {
          const probe = await probeStoreIfAnswered(world, vm);
          if (probe !== undefined && !probe.connected && haltedAtMs === undefined)
            haltedAtMs = Date.now();
          if (probe?.connected === true && haltedAtMs !== undefined) reopened += 1;
          await sleep(250);
        }
        return { host: vm.name, haltedAtMs, reopened };
      })();
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
      context.observe(observed.postFillWrites, { filledAtMs, writes });
      context.observe(observed.halt, { ...(await watchHalt), filledAtMs });
    });

    await context.step('read the data disk and the audit records', async () => {
      await observeStoreState(context, vm, audit, filledAtMs);
    });
    await audit.freeAuditDisk(vm.name);
  },
  checks: logOrDieChecks,
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
  ],
});
