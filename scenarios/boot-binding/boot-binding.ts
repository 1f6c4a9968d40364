import { dirname, join } from 'node:path';
import { injectFault } from '../../harness/faults/inject-fault.ts';
import { fileURLToPath } from 'node:url';
import { TpmBusCapture } from '../../harness/checks/probes/tpm-bus.ts';
import { readPersistentKey } from '../../harness/checks/probes/tpm-evidence.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { bootBindingChecks, phases } from './boot-binding-checks.ts';
import {
  awaitBootOutcome,
  observeMismatchLog,
  observePrimaryKey,
  observeReadBack,
  observeRoundTrip,
  observeSealedKek,
  observeReplacedPrimaryBoot,
  observeService,
  primaryHandle,
} from './boot-binding-evidence.ts';

import { observeTpmLeftovers, tpmFlushedAfterRefusalCheck } from './tpm-leftovers.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** The steps a mutant's schedule may stop after (Mutant.stopAfterStep). */
const steps = {
  servedAtHome: 'boot on the home machine and serve',
  inspect: 'inspect the TPM binding from outside the stack',
  bootChainChanged: 'observe the boot with the changed boot chain',
  foreignBoot: 'observe the boot on the foreign machine',
  servedAgain: 'serve again at home',
} as const;

/**
 * The seed manual's step 1 and its question "how do I verify my keys are truly sovereign?": the
 * KEK is sealed by the machine's TPM to its boot chain, so the data can be opened only on that
 * machine, booted that way.
 */
export default defineScenario({
  name: 'boot-binding',
  description:
    'KEK sealed to the TPM and PCR 7: unseals at home, refuses after a boot chain change, on another machine and under a replaced primary key',
  needs: [],
  sections: ['boot-binding', 'store'],
  topology: {
    zones: [
      { name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.40.0.0/16'] },
      { name: 'foreign', jurisdiction: 'US', kind: 'foreign', cidrs: ['10.80.0.0/16'] },
    ],
    machines: [
      { name: 'home', zone: 'sovereign', tags: ['sovereign', 'certified'] },
      { name: 'elsewhere', zone: 'foreign', tags: ['non-sovereign'] },
    ],
    hosts: [{ name: 'vm1', machine: 'home' }],
  },
  async run(context) {
    const vm = context.world.host('vm1');
    const payload = `residency record ${Date.now()}`;

    const servesAtHome = await context.step(steps.servedAtHome, async () => {
      const outcome = await awaitBootOutcome(context, vm);
      // A refusal at home is the stack's failure, not the run's: the round trip records it for
      // serves-on-home-machine, and no fault after it could be judged against a refused boot.
      await observeRoundTrip(context, vm, phases.home, 'before-faults', payload);
      return outcome === 'serving';
    });
    if (!servesAtHome) return;
    await context.step(steps.inspect, async () => {
      await observePrimaryKey(context, vm);
      await observeSealedKek(context, vm, phases.home);
    });

    const restoreBootChain = await injectFault(context, 'boot-chain-change', {
      machine: 'home',
      chain: 'secure-boot:vendor-db-2026:shim-15.8:grub-2.12-UNSIGNED:linux-6.1',
    });
    await context.step(steps.bootChainChanged, async () => {
      await awaitBootOutcome(context, vm);
      // First: the harness's other TPM commands flush after themselves.
      await observeTpmLeftovers(context, 'home', phases.bootChainChanged);
      await observeService(context, vm, phases.bootChainChanged);
      await observeSealedKek(context, vm, phases.bootChainChanged);
      await observeMismatchLog(context, vm, phases.bootChainChanged);
    });
    await restoreBootChain();
    await context.step('serve again with the original boot chain', async () => {
      await awaitBootOutcome(context, vm);
      await observeReadBack(context, vm, phases.bootChainHealed, 'before-faults', payload);
    });

    const bringHome = await injectFault(context, 'vm-migration', {
      host: 'vm1',
      machine: 'elsewhere',
    });
    await context.step(steps.foreignBoot, async () => {
      await awaitBootOutcome(context, vm);
      await observeService(context, vm, phases.migrated);
      await observeSealedKek(context, vm, phases.migrated);
      await observeMismatchLog(context, vm, phases.migrated);
    });
    await bringHome();
    await context.step(steps.servedAgain, async () => {
      await awaitBootOutcome(context, vm);
      await observeReadBack(context, vm, phases.migrationHealed, 'before-faults', payload);
    });

    // Last, because the host is left refused: the heal puts the original key back only.
    await injectFault(context, 'primary-key-replacement', {
      machine: 'home',
      handle: primaryHandle,
    });
    await context.step('boot with the primary key replaced on the same TPM', async () => {
      const home = context.world.machine('home');
      const current = await readPersistentKey(home.tpm, primaryHandle);
      const capture = await TpmBusCapture.start(context.world, home);
      try {
        const bootAtMs = Date.now();
        await vm.boot(home);
        await awaitBootOutcome(context, vm);
        await observeService(context, vm, phases.primaryReplaced);
        await observeMismatchLog(context, vm, phases.primaryReplaced);
        observeReplacedPrimaryBoot(context, {
          bootAtMs,
          replacedQualifiedName: current.qualifiedName,
          ...(await capture.record()),
        });
      } finally {
        await capture.stop();
      }
    });
  },
  checks: [...bootBindingChecks, tpmFlushedAfterRefusalCheck],
  mutants: [
    {
      name: 'kek-plain-file',
      description: 'The KEK is kept as a plain file on the VM disk instead of sealed by the TPM',
      expectFailing: [
        'kek-sealed-to-pcrs',
        'refused-after-boot-chain-change',
        'refused-on-foreign-machine',
        'localization-mismatch-logged',
      ],
      stackPatch: join(here, 'mutants', 'kek-plain-file.patch'),
    },
    {
      name: 'kek-no-pcr-policy',
      description:
        'The KEK is sealed by the TPM but without a PCR policy (any boot chain unseals it)',
      expectFailing: ['kek-sealed-to-pcrs', 'refused-after-boot-chain-change'],
      stackPatch: join(here, 'mutants', 'kek-no-pcr-policy.patch'),
    },
    {
      name: 'qualified-name-not-compared',
      description:
        "The stack skips the comparison of the TPM primary key's qualified name with its record and loads the KEK under whatever key is at the handle",
      expectFailing: ['refused-under-replaced-primary'],
      stackPatch: join(here, 'mutants', 'qualified-name-not-compared.patch'),
    },
    {
      name: 'kek-enrolled-under-replaced-key',
      description:
        'On a primary key that differs from its record the stack refuses the boot, but first "pre-enrols" a fresh KEK under the key it found, set aside until an operator approves the machine (`tpm2_create -c`, TPM2_CreateLoaded): the stranger key now guards a key of the host',
      expectFailing: ['refused-under-replaced-primary'],
      stackPatch: join(here, 'mutants', 'kek-enrolled-under-replaced-key.patch'),
    },
    {
      name: 'pcr-list-key-misread',
      description:
        "The stack reads the site's PCR list under the key pcr, not pcrs, and falls back to PCR 7 alone: a site that also names its firmware's PCR gets a KEK that no firmware change refuses",
      expectFailing: ['kek-sealed-to-pcrs'],
      stopAfterStep: steps.foreignBoot,
      stackPatch: join(here, 'mutants', 'pcr-list-key-misread.patch'),
    },
    {
      name: 'audit-records-name',
      description:
        "The residency audit log records the primary key's name where its qualified name belongs (only the qualified name also binds the hierarchy the key lives in): the record no longer identifies the key",
      expectFailing: ['primary-key-recorded'],
      stopAfterStep: steps.inspect,
      stackPatch: join(here, 'mutants', 'audit-records-name.patch'),
    },
    {
      name: 'unseal-in-sha1-bank',
      description:
        'The unseal session names the sha1 PCR bank while the KEK is sealed to the sha256 one: the policy never matches, and the host refuses even on its own machine',
      expectFailing: ['serves-on-home-machine'],
      stopAfterStep: steps.servedAtHome,
      stackPatch: join(here, 'mutants', 'unseal-in-sha1-bank.patch'),
    },
    {
      name: 'kek-destroyed-on-mismatch',
      description:
        'A "tamper response" deletes the sealed KEK on a refused boot: the boot chain or the VM comes back home and the host can never serve its data again',
      expectFailing: ['recovers-after-heal'],
      stopAfterStep: steps.servedAgain,
      stackPatch: join(here, 'mutants', 'kek-destroyed-on-mismatch.patch'),
    },
    {
      name: 'tpm-flush-on-success-only',
      description:
        'The TPM wrapper flushes transient objects and sessions after a command that succeeded only ("a failed command loaded nothing worth flushing"): the refused unseal leaves the KEK object loaded in a TPM that holds three',
      expectFailing: ['tpm-flushed-after-refusal'],
      stopAfterStep: steps.bootChainChanged,
      stackPatch: join(here, 'mutants', 'tpm-flush-on-success-only.patch'),
    },
  ],
});
