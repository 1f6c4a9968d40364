import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { auditOf } from '../../harness/checks/probes/audit-evidence.ts';
import { awaitStoreServing } from '../../harness/checks/probes/custody-evidence.ts';
import { storeRoundTrip } from '../../harness/checks/probes/store-probe.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { storePort } from '../../harness/contract/site-file.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import { auditWatchChecks, intruder } from './audit-watch-checks.ts';
import { runIntruder } from './intruder.ts';
import { storeWaitsForActiveWatch } from './unwatched-boot-check.ts';
import { observeUnwatchedBoot } from './unwatched-boot.ts';
import {
  observeUnwritableTrailWrite,
  writeRefusedWhenTrailUnwritable,
} from './unwritable-trail.ts';

const here = dirname(fileURLToPath(import.meta.url));
const bootTimeoutMs = 120_000;
/** Records reach the host's audit log within milliseconds; this leaves room on a busy machine. */
const recordDelayMs = 3_000;
/** The host whose audit rule the machine's audit daemon never loads. */
const unwatched = 'vm2';
/** The steps a mutant's schedule may stop after (Mutant.stopAfterStep). */
const steps = { auditLog: "read the host's audit log off its audit disk" } as const;

/**
 * The manual's audit watch: "-w /data/sovereign_storage -p wa -k residency_audit". A write into the
 * store directory by a named process, and an attribute change, must both appear in the host's
 * audit record with that process; so must the store's own writes.
 */
export default defineScenario({
  name: 'audit-watch',
  description:
    'Writes and attribute changes under /data/sovereign_storage are recorded by kernel audit with the process that made them',
  needs: ['kernel-audit', 'cap:AUDIT_CONTROL', 'cap:AUDIT_READ', 'cap:SYS_ADMIN', 'cap:SYS_PTRACE'],
  sections: ['audit', 'store'],
  topology: {
    zones: [{ name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.45.0.0/16'] }],
    services: [
      {
        name: 'audit',
        kind: 'audit',
        zone: 'sovereign',
        options: { rulesNeverLoaded: [unwatched] },
      },
    ],
    hosts: [
      { name: 'vm1', zone: 'sovereign' },
      { name: unwatched, zone: 'sovereign' },
    ],
  },
  async run(context) {
    const { world } = context;
    const vm = world.host('vm1');
    const audit = auditOf(world, 'audit');
    const stamp = Date.now();
    const storeObject = `audited-${stamp}`;

    await context.step('the host serves; the kernel holds its watch', async () => {
      await awaitStoreServing(world, vm, bootTimeoutMs);
      context.observe('kernel-rules', { host: vm.name, rules: await audit.kernelRules(vm.name) });
    });
    await context.step('the store writes an object', async () => {
      const trip = await storeRoundTrip(
        world.observer('sovereign'),
        vm.address,
        storePort,
        storeObject,
        `record ${stamp}`,
      );
      if (!trip.ok)
        throw new SovhError(
          'SCENARIO_STEP_FAILED',
          `the store did not take the write: ${trip.detail}`,
        );
    });
    const intrusionFile = `/data/sovereign_storage/intrusion-${stamp}.bin`;
    const objectFile = `/data/sovereign_storage/${storeObject}.obj`;
    await context.step(
      `a process named ${intruder.writer} writes into the store directory`,
      async () => {
        await runIntruder(
          vm,
          intruder.writer,
          `-dd if=/dev/urandom of=${intrusionFile} bs=64 count=1`,
          {
            path: intrusionFile,
            expect: (file) => file.sizeBytes === 64,
            describe: 'holding 64 bytes',
          },
        );
      },
    );
    await context.step(
      `a process named ${intruder.chmod} changes an object's attributes`,
      async () => {
        await runIntruder(vm, intruder.chmod, `-chmod 0604 ${objectFile}`, {
          path: objectFile,
          expect: (file) => file.mode === '604',
          describe: 'with mode 0604 (the store makes no such mode)',
        });
      },
    );
    await sleep(recordDelayMs);
    await context.step(steps.auditLog, async () => {
      const log = await audit.hostLog(vm.name);
      context.observe('host-audit-log', {
        host: vm.name,
        events: log.events,
        storeObject,
        intrusionFile,
        objectFile,
      });
    });
    // Booted beside vm1 from the start: by now its stack has waited most of its 30 s.
    await context.step(
      `${unwatched}, whose rule the audit daemon never loads, keeps its store closed`,
      () => observeUnwatchedBoot(context, world.host(unwatched), audit),
    );
    await context.step(
      "vm1's audit trail becomes unwritable, with room on its disk; the store writes once",
      () => observeUnwritableTrailWrite(context, vm, `untrailed-${stamp}`),
    );
  },
  checks: [...auditWatchChecks, storeWaitsForActiveWatch, writeRefusedWhenTrailUnwritable],
  mutants: [
    {
      name: 'watch-not-installed',
      description: 'The stack never installs the residency_audit watch (and so never waits for it)',
      expectFailing: [
        'watch-in-kernel',
        'named-writer-recorded',
        'attribute-change-recorded',
        'store-writes-recorded',
      ],
      stopAfterStep: steps.auditLog,
      stackPatch: join(here, 'mutants', 'watch-not-installed.patch'),
    },
    {
      // The margin of the rule: one permission letter short. Writes are still recorded.
      name: 'watch-writes-only',
      description:
        'The stack installs the watch with -p w instead of -p wa ("a write is what changes data"): attribute changes of stored objects go unrecorded',
      expectFailing: ['watch-in-kernel', 'attribute-change-recorded'],
      stopAfterStep: steps.auditLog,
      stackPatch: join(here, 'mutants', 'watch-writes-only.patch'),
    },
    {
      name: 'active-list-is-own-rules-file',
      description:
        'The stack reads its own rules file back where the contract says rules.active: the watch is "active" as soon as it is written, loaded by the audit daemon or not, and the store serves unwatched',
      expectFailing: ['store-waits-for-active-watch'],
      stackPatch: join(here, 'mutants', 'active-list-is-own-rules-file.patch'),
    },
    {
      name: 'trail-append-failure-logged-only',
      description:
        'A failed append to the store\'s audit trail is logged and the write goes on ("the room check already guards Log-Or-Die"): with the trail unwritable and room on the disk, the store writes objects no record names',
      expectFailing: ['write-refused-when-trail-unwritable'],
      stackPatch: join(here, 'mutants', 'trail-append-failure-logged-only.patch'),
    },
  ],
});
