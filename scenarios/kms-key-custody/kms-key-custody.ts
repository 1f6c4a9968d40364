import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  awaitStoreServing,
  probeStoreIfAnswered,
} from '../../harness/checks/probes/custody-evidence.ts';
import { storeRead, storeRoundTrip } from '../../harness/checks/probes/store-probe.ts';
import { injectFault } from '../../harness/faults/inject-fault.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { storePort } from '../../harness/contract/site-file.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import { waitUntil } from '../../harness/util/wait-until.ts';
import { kmsRevocationBound } from '../../harness/contract/key-custody-bounds.ts';
import { kmsKeyCustodyChecks } from './kms-key-custody-checks.ts';
import { observeKeyEnd, observeKmsOutage, prepareKeyEnd } from './kms-lifecycle.ts';
import { keyEndChecksOfEach } from './key-end-checks.ts';
import { endedKeyGoneCheck, watchEndedKeyInMemory } from './ended-key-memory.ts';
import { dataKeyRecordCheck, observeDataKeyRecord } from './data-key-record.ts';
import { bootWaitsForKmsCheck, observeBootWithoutKms } from './boot-without-kms.ts';
import { observeNamedForeignKms } from './named-foreign-kms.ts';
import { kmsWatchCheck, observeKmsWatch, watchWindowMs } from './kms-watch-cadence.ts';
import { observeRevokedKeyBoot, revokedKeyBootCheck } from './revoked-key-boot.ts';
import {
  abroadZone,
  names,
  observeAtRest,
  observeClientConf,
  observeForeignKms,
  observeHsmDependency,
  observeHsmKey,
  observeKmsKeys,
  secureLog,
} from './kms-key-custody-evidence.ts';

const here = dirname(fileURLToPath(import.meta.url));
const refusalTimeoutMs = 120_000;

/** The steps a mutant's schedule may stop after (Mutant.stopAfterStep). */
const steps = {
  atRest:
    "open the object on the disk with that key, and the key's record with the KEK; scan the disks",
  custodyConf: 'look at the HSM key and the kmip-client configuration',
  kmsWatch: `count the host's state questions at the KMS for ${watchWindowMs / 1000} s from when it serves`,
  hsmReboot: 'reboot with the HSM cable cut, then with it back',
  kmsOutage: 'the KMS goes down; the HSM is cut and comes back: no unwrap without the KMS',
  kmsSilentBoot: `reboot ${names.destroyedKeyHost} unable to reach the KMS: its boot waits for the KMS's word`,
  revocation:
    "revoke one host's data key, revoke another's for compromise and destroy a third's on the KMS, each under a load",
  revokedBoot: 'reboot with the data key revoked: the boot must refuse it',
} as const;

/**
 * The steps before the key ends that a key's end does not depend on: each leaves the hosts serving
 * their first data keys, as it found them. Mutants of the key's end leave them out (about 50 s of
 * a run); their positive control is the reference on the same schedule (scenario-suite.ts).
 */
const beforeKeyEnd = [steps.kmsWatch, steps.hsmReboot, steps.kmsOutage, steps.kmsSilentBoot];

/**
 * The seed manual's step 3: the host's data key is created on the local KMS (the harness sees it
 * there with its own KMIP client), is unwrapped only through the cell's HSM, and is never on a
 * disk in clear; the stored object is AES-256-GCM under exactly that key. With the KMS down, the
 * HSM's return does not bring the key back; a revocation or a destruction on the KMS stops the store within two KMS
 * watch intervals; a KMS abroad is never contacted, also by a host whose site file names it (which must refuse it).
 */
export default defineScenario({
  name: 'kms-key-custody',
  description:
    'Data key created on the local KMS, unwrapped only by the cell HSM, never on disk; no unwrap while the KMS is down; a revocation or a destruction of the key stops the store within two KMS watch intervals; the foreign KMS never contacted',
  // SYS_PTRACE: the harness reads the running host's own files from its PID namespace.
  needs: ['cap:SYS_PTRACE'],
  sections: ['kms', 'hsm', 'store'],
  contractBounds: [kmsRevocationBound],
  topology: {
    zones: [
      { name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.42.0.0/16'] },
      { name: abroadZone, jurisdiction: 'US', kind: 'foreign', cidrs: ['10.82.0.0/16'] },
    ],
    cells: [{ name: 'cell-a', zone: 'sovereign' }],
    services: [
      {
        name: names.kms,
        kind: 'kms',
        zone: 'sovereign',
        cell: 'cell-a',
        options: { clients: [names.host, names.destroyedKeyHost, names.compromisedKeyHost] },
      },
      { name: names.hsm, kind: 'hsm', zone: 'sovereign', cell: 'cell-a' },
      // A border router: the KMS abroad is reachable at the network layer, so a host that tries
      // it sends packets (which the harness counts ahead of its fence) instead of meeting "no route".
      { name: 'border', kind: 'router', zone: 'sovereign', legs: [abroadZone] },
      // Named to vm2 as its KMS, as an operator's slip or a failover list would: the stack must
      // refuse it and never try to reach it.
      {
        name: names.foreignKms,
        kind: 'kms',
        zone: abroadZone,
        options: { clients: [names.namedAbroad] },
      },
    ],
    hosts: [
      { name: names.host, zone: 'sovereign', cell: 'cell-a' },
      { name: names.namedAbroad, zone: 'sovereign', cell: 'cell-a' },
      { name: names.destroyedKeyHost, zone: 'sovereign', cell: 'cell-a' },
      { name: names.compromisedKeyHost, zone: 'sovereign', cell: 'cell-a' },
    ],
  },
  async run(context) {
    const { world } = context;
    const vm = world.host(names.host);
    const observer = world.observer('sovereign');
    const objectId = `custody-${Date.now()}`;
    // Its head is random and nowhere else: a preview or a truncated copy of it on a disk is found.
    const payload = `${context.random.stream('payload head').hex(16)} sovereign record ${objectId}: only ciphertext may rest`;

    const servingSinceMs = await context.step('the host serves and stores an object', async () => {
      await awaitStoreServing(world, vm, refusalTimeoutMs);
      const trip = await storeRoundTrip(observer, vm.address, storePort, objectId, payload);
      context.observe('store-roundtrip', trip);
      if (!trip.ok)
        throw new SovhError('SCENARIO_STEP_FAILED', `the store round trip failed: ${trip.detail}`);
      return Date.now();
    });

    const keys = await context.step(
      'read the data key on the KMS with the harness KMIP client',
      () => observeKmsKeys(context),
    );
    await context.step(steps.atRest, async () => {
      await observeAtRest(context, vm, objectId, payload, keys.dataKeyHex);
      await observeDataKeyRecord(context, vm, keys.dataKeyHex);
    });
    await context.step(steps.custodyConf, async () => {
      await observeHsmKey(context);
      await observeClientConf(context, vm);
    });
    await context.skippableStep(steps.kmsWatch, () =>
      observeKmsWatch(context, names.kms, vm, servingSinceMs),
    );

    await context.skippableStep(steps.hsmReboot, async () => {
      const machine = vm.machine;
      await vm.shutdown();
      const reconnectHsm = await injectFault(context, 'hsm-cut', { hsm: names.hsm });
      const refusalsBefore = (await secureLog(context, vm)).length;
      await vm.boot(machine);
      // The boot's outcome as the harness sees it: a refusal in the HSM's secure log on the VM
      // disk (the secure log outlives boots: a line beyond those seen before this boot), or the
      // store accepting a connection. The stack's own output is not read.
      await waitUntil(
        async () => {
          if ((await secureLog(context, vm)).length > refusalsBefore) return 'refused';
          const store = await probeStoreIfAnswered(world, vm);
          return store?.connected === true ? 'serving' : undefined;
        },
        {
          what: `the outcome of ${vm.name}'s boot without its HSM`,
          expected: 'a refusal in the HSM secure log, or the store accepting connections',
          timeoutMs: refusalTimeoutMs,
          intervalMs: 1_000,
        },
      );
      const probe = await waitUntil(() => probeStoreIfAnswered(world, vm), {
        what: `a probe of ${vm.name}'s store`,
        expected: 'answered',
        timeoutMs: 60_000,
      });
      const secureLogLines = await secureLog(context, vm);
      await vm.shutdown();
      await reconnectHsm();
      await vm.boot(machine);
      await awaitStoreServing(world, vm, refusalTimeoutMs);
      const read = await storeRead(observer, vm.address, storePort, objectId);
      observeHsmDependency(context, {
        servedWithoutHsm: probe.connected,
        secureLogLines,
        readBackAfterReconnect: { status: read.status, matches: read.body === payload },
      });
    });

    await context.skippableStep(steps.kmsOutage, () =>
      observeKmsOutage(context, vm, { objectId, payload }),
    );
    await context.skippableStep(steps.kmsSilentBoot, () =>
      observeBootWithoutKms(
        context,
        world.host(names.destroyedKeyHost),
        [names.host, names.compromisedKeyHost].map((name) => world.host(name)),
      ),
    );
    await context.step(steps.revocation, async () => {
      if (keys.dataKeyUid === undefined)
        throw new SovhError('SCENARIO_STEP_FAILED', 'the data key was not found on the KMS');
      const revoked = { host: vm, uid: keys.dataKeyUid, standing: { objectId, payload } };
      const compromisedHost = world.host(names.compromisedKeyHost);
      const [destroyed, compromised, memory] = await Promise.all([
        prepareKeyEnd(context, world.host(names.destroyedKeyHost)),
        prepareKeyEnd(context, compromisedHost),
        watchEndedKeyInMemory(context, compromisedHost),
      ]);
      try {
        await Promise.all([
          observeKeyEnd(context, revoked, 'revocation'),
          observeKeyEnd(context, compromised, 'compromise', memory),
          observeKeyEnd(context, destroyed, 'destruction'),
        ]);
      } finally {
        await memory.detach();
      }
    });
    await context.step(steps.revokedBoot, () => observeRevokedKeyBoot(context, vm, names.hsm));

    await context.step(
      `reboot ${names.namedAbroad}, named to the KMS abroad, counting its attempts from its namespace`,
      () => observeNamedForeignKms(context, world.host(names.namedAbroad), names.foreignKms),
    );
    await context.step('count what reached the KMS abroad', () => observeForeignKms(context));
  },
  checks: [
    ...kmsKeyCustodyChecks,
    bootWaitsForKmsCheck,
    ...keyEndChecksOfEach,
    endedKeyGoneCheck,
    dataKeyRecordCheck,
    kmsWatchCheck,
    revokedKeyBootCheck,
  ],
  mutants: [
    {
      name: 'hsm-key-extractable',
      description:
        'A misprovisioned cell HSM: its wrapping key is made extractable and not sensitive, so the key every data key hangs on can be read out of the token (the stack cannot tell; the custody check must)',
      expectFailing: ['hsm-key-non-extractable'],
      stopAfterStep: steps.custodyConf,
      topology: (input) => ({
        ...input,
        services: (input.services ?? []).map((s) =>
          s.name === names.hsm ? { ...s, options: { ...s.options, keyPolicy: 'extractable' } } : s,
        ),
      }),
    },
    {
      name: 'payload-head-in-audit-trail',
      description:
        'The store\'s audit record of a write keeps the first 40 bytes of the payload "for the forensic reader": the object rests encrypted, and its head lies in clear in the trail on the VM disk',
      expectFailing: ['ciphertext-only-at-rest'],
      stopAfterStep: steps.atRest,
      stackPatch: join(here, 'mutants', 'payload-head-in-audit-trail.patch'),
    },
    {
      name: 'kms-copy-when-hsm-down',
      description:
        'A degraded boot: when the HSM does not answer within the boot grace, the stack takes the data key straight from the KMS ("it holds the key anyway") and starts its store without the HSM',
      expectFailing: ['unwrap-needs-the-hsm'],
      stopAfterStep: steps.hsmReboot,
      stackPatch: join(here, 'mutants', 'kms-copy-when-hsm-down.patch'),
    },
    {
      name: 'data-key-aes-128',
      description:
        'The data key is created as AES-128 ("the KMS\'s default, and fast enough"): it comes from the local KMS and opens the object, at half the strength the contract asks for',
      expectFailing: ['data-key-from-local-kms'],
      stopAfterStep: steps.atRest,
      stackPatch: join(here, 'mutants', 'data-key-aes-128.patch'),
    },
    {
      name: 'client-conf-in-stack-dir',
      description:
        "The KMIP client's settings live in a file of the stack's own settings directory: the stack works, and the manual's client.conf, which operators and audit tools read, does not exist",
      expectFailing: ['kmip-client-configured'],
      stopAfterStep: steps.custodyConf,
      stackPatch: join(here, 'mutants', 'client-conf-in-stack-dir.patch'),
    },
    {
      name: 'data-key-escrow-in-record',
      description:
        'The data-key record keeps an "escrow" copy of the clear data key beside the wrapped one, "for a break-glass when the cell\'s HSM dies": the record is sealed under the KEK, so no scan of the disks sees the key, and whoever unseals the KEK has it without the HSM or the KMS',
      expectFailing: ['data-key-record-as-contract'],
      stopAfterStep: steps.atRest,
      stackPatch: join(here, 'mutants', 'data-key-escrow-in-record.patch'),
    },
    {
      name: 'data-key-cached-in-file',
      description: 'The stack keeps a copy of the clear data key in a cache file on the VM disk',
      expectFailing: ['data-key-never-on-disk'],
      stopAfterStep: steps.atRest,
      stackPatch: join(here, 'mutants', 'data-key-cached-in-file.patch'),
    },
    {
      name: 'kms-watch-slow',
      description:
        'The KMS watch asks for the data key\'s state every 3 s ("the KMS is busy enough"): a single revocation is still refused within the 2 s bound two times in three',
      expectFailing: ['kms-watched-within-bound'],
      stopAfterStep: steps.kmsWatch,
      stackPatch: join(here, 'mutants', 'kms-watch-slow.patch'),
    },
    {
      name: 'kms-watch-inside-bound',
      description:
        'The KMS watch asks every 1.8 s ("under the 2 s bound, and half the KMIP traffic"): a single revocation is refused within the bound nearly always, yet the contract\'s 1 s interval is broken',
      expectFailing: ['kms-watched-within-bound'],
      stopAfterStep: steps.kmsWatch,
      stackPatch: join(here, 'mutants', 'kms-watch-inside-bound.patch'),
    },
    {
      // hsm-cable-cut's mutant of the same name: one wrong code for every kind of refusal.
      name: 'refusal-code-copied',
      description:
        "The store's refusal for a key it cannot use says KEYS_WIPED whatever the cause (the line below, copied): clients are told of a shutdown wipe when the KMS revoked (for compromise or not) or destroyed the key",
      expectFailing: [
        'revocation-refusals-name-key-not-active',
        'compromise-refusals-name-key-not-active',
        'destruction-refusals-name-key-not-active',
      ],
      stopAfterStep: steps.revocation,
      skipSteps: beforeKeyEnd,
      stackPatch: join(here, '..', 'hsm-cable-cut', 'mutants', 'refusal-code-copied.patch'),
    },
    {
      name: 'kms-revocation-ignored',
      description:
        'The KMS watch drops the data key only when the KMS destroyed it: a revoked key goes on serving',
      expectFailing: ['revocation-refused-within-bound'],
      stopAfterStep: steps.revocation,
      skipSteps: beforeKeyEnd,
      stackPatch: join(here, 'mutants', 'kms-revocation-ignored.patch'),
    },
    {
      name: 'deactivated-key-usable',
      description:
        'The KMS watch counts a DEACTIVATED key as usable ("KMIP lets a deactivated key still decrypt what it protected"): a key revoked for cessation of operation goes on serving',
      expectFailing: ['revocation-refused-within-bound'],
      stopAfterStep: steps.revocation,
      skipSteps: beforeKeyEnd,
      stackPatch: join(here, 'mutants', 'deactivated-key-usable.patch'),
    },
    {
      name: 'compromised-key-usable',
      description:
        'The KMS watch lists the states it refuses, DEACTIVATED and DESTROYED ("KMIP: only the dead states stop a key"), instead of accepting ACTIVE alone: a key revoked for compromise goes on serving',
      expectFailing: ['compromise-refused-within-bound'],
      stopAfterStep: steps.revocation,
      skipSteps: beforeKeyEnd,
      stackPatch: join(here, 'mutants', 'compromised-key-usable.patch'),
    },
    {
      name: 'ended-key-kept-in-memory',
      description:
        'A key the KMS no longer calls ACTIVE is refused but kept in memory ("a revocation made by mistake is undone without a reboot"): every request gets KEY_NOT_ACTIVE, and the compromised key stays in clear for the rest of the boot',
      expectFailing: ['compromised-key-gone-from-memory'],
      stopAfterStep: steps.revocation,
      skipSteps: beforeKeyEnd,
      stackPatch: join(here, 'mutants', 'ended-key-kept-in-memory.patch'),
    },
    {
      name: 'boot-opens-without-kms',
      description:
        'The boot asks the KMS for at most 5 s and, when it does not answer, unwraps the wrapped key on its disk anyway ("a KMS blip must not keep a host down; the wrapped key is ours")',
      expectFailing: ['boot-waits-for-kms'],
      stopAfterStep: steps.kmsSilentBoot,
      stackPatch: join(here, 'mutants', 'boot-opens-without-kms.patch'),
    },
    {
      name: 'destroyed-key-taken-for-outage',
      description:
        'The KMIP client takes every failed state question for a KMS that does not answer, Item Not Found too: a key the KMS destroyed is logged as KMS_UNAVAILABLE and stays in memory, and the store goes on serving',
      expectFailing: ['destruction-refused-within-bound'],
      stopAfterStep: steps.revocation,
      skipSteps: beforeKeyEnd,
      stackPatch: join(here, 'mutants', 'destroyed-key-taken-for-outage.patch'),
    },
    {
      name: 'boot-admits-revoked-key',
      description:
        'The boot path tests the key\u2019s state apart from the watch and refuses only a destroyed key: a revoked key is unwrapped at the next boot',
      expectFailing: ['revoked-key-refused-at-boot'],
      stopAfterStep: steps.revokedBoot,
      skipSteps: beforeKeyEnd,
      stackPatch: join(here, 'mutants', 'boot-admits-revoked-key.patch'),
    },
    {
      name: 'unwrap-without-kms',
      description:
        'When the HSM returns the data key is unwrapped again without asking the KMS, which is down',
      expectFailing: ['unwrap-fails-closed-without-kms'],
      stopAfterStep: steps.kmsOutage,
      stackPatch: join(here, 'mutants', 'unwrap-without-kms.patch'),
    },
    {
      name: 'kms-word-kept-for-the-boot',
      description:
        'The stack asks the KMS before its first unwrap of a boot and keeps the answer ("its watch reports revocations"): after an HSM cut with the KMS up, the next HSM return unwraps with the KMS down',
      expectFailing: ['unwrap-fails-closed-without-kms'],
      stopAfterStep: steps.kmsOutage,
      stackPatch: join(here, 'mutants', 'kms-word-kept-for-the-boot.patch'),
    },
    {
      name: 'kms-jurisdiction-unchecked',
      description:
        'The KMS named in the site file is used wherever it is ("the fence keeps foreign traffic in anyway"): a KMS abroad is tried instead of refused',
      expectFailing: ['foreign-kms-never-contacted'],
      skipSteps: beforeKeyEnd,
      stackPatch: join(here, 'mutants', 'kms-jurisdiction-unchecked.patch'),
    },
  ],
});
