import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { changeBootChain } from '../../harness/faults/boot-chain-change.ts';
import { migrateVm } from '../../harness/faults/vm-migration.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import { bootBindingChecks, phases } from './boot-binding-checks.ts';
import {
  awaitBootOutcome,
  observeMismatchLog,
  observePrimaryKey,
  observeReadBack,
  observeRoundTrip,
  observeSealedKek,
  observeService,
} from './boot-binding-evidence.ts';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The seed manual's step 1 and its question "how do I verify my keys are truly sovereign?": the
 * KEK is sealed by the machine's TPM to its boot chain, so the data can be opened only on that
 * machine, booted that way.
 */
export default defineScenario({
  name: 'boot-binding',
  description:
    'KEK sealed to the TPM and PCR 7: unseals at home, refuses after a boot chain change and on another machine',
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

    await context.step('boot on the home machine and serve', async () => {
      const outcome = await awaitBootOutcome(context, vm);
      if (outcome !== 'serving')
        throw new SovhError('SCENARIO_STEP_FAILED', 'vm1 refused to boot on its own machine');
      await observeRoundTrip(context, vm, phases.home, 'before-faults', payload);
    });
    await context.step('inspect the TPM binding from outside the stack', async () => {
      await observePrimaryKey(context, vm);
      await observeSealedKek(context, vm, phases.home);
    });

    const restoreBootChain = await context.inject(
      changeBootChain('home', 'secure-boot:vendor-db-2026:shim-15.8:grub-2.12-UNSIGNED:linux-6.1'),
    );
    await context.step('observe the boot with the changed boot chain', async () => {
      await awaitBootOutcome(context, vm);
      await observeService(context, vm, phases.bootChainChanged);
      await observeSealedKek(context, vm, phases.bootChainChanged);
      await observeMismatchLog(context, vm, phases.bootChainChanged);
    });
    await restoreBootChain();
    await context.step('serve again with the original boot chain', async () => {
      await awaitBootOutcome(context, vm);
      await observeReadBack(context, vm, phases.bootChainHealed, 'before-faults', payload);
    });

    const bringHome = await context.inject(migrateVm('vm1', 'elsewhere'));
    await context.step('observe the boot on the foreign machine', async () => {
      await awaitBootOutcome(context, vm);
      await observeService(context, vm, phases.migrated);
      await observeSealedKek(context, vm, phases.migrated);
      await observeMismatchLog(context, vm, phases.migrated);
    });
    await bringHome();
    await context.step('serve again at home', async () => {
      await awaitBootOutcome(context, vm);
      await observeReadBack(context, vm, phases.migrationHealed, 'before-faults', payload);
    });
  },
  checks: bootBindingChecks,
  mutants: [
    {
      name: 'kek-plain-file',
      description: 'The KEK is kept as a plain file on the VM disk instead of sealed by the TPM',
      expectFailing: ['kek-sealed-to-pcrs', 'refused-after-boot-chain-change'],
      stackPatch: join(here, 'mutants', 'kek-plain-file.patch'),
    },
    {
      name: 'kek-no-pcr-policy',
      description:
        'The KEK is sealed by the TPM but without a PCR policy (any boot chain unseals it)',
      expectFailing: ['kek-sealed-to-pcrs', 'refused-after-boot-chain-change'],
      stackPatch: join(here, 'mutants', 'kek-no-pcr-policy.patch'),
    },
  ],
});
