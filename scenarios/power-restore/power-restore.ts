import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { awaitServing } from '../../harness/checks/probes/serving-probe.ts';
import { storeRead, storeRoundTrip } from '../../harness/checks/probes/store-probe.ts';
import { readVmFile } from '../../harness/checks/probes/disk-forensics.ts';
import { objectPath } from '../../harness/checks/probes/data-at-rest.ts';
import { hsmCalls } from '../../harness/checks/probes/hsm-calls.ts';
import { TpmBusCapture } from '../../harness/checks/probes/tpm-bus.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { storePort } from '../../harness/contract/site-file.ts';
import {
  dataIntactAfterRestore,
  keysGoneFromMemory,
  noKeyOnDiskAfterRestore,
  servesOnlyAfterUnsealAndUnwrap,
} from '../power-thermal/power-checks.ts';
import { outageTopology, runOutage, storedObject } from '../power-thermal/outage-schedule.ts';
import { observeDiskScan } from '../power-thermal/power-evidence.ts';
import { bootTimeoutMs } from '../power-thermal/thermal-evidence.ts';
import { StartedHsm } from '../../sims/hsm/hsm.ts';
import { keyWipeBound } from '../power-thermal/power-bounds.ts';

import { nonceOf, objectNonceNeverRepeats, objectNonces } from './nonce-check.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** What the record is rewritten with once the store serves again. */
const rewrittenPayload = 'sovereign record rewritten after the power returned';

/**
 * After the power failure (the keys wiped, the machine off), the mains return and the machine
 * powers on. The store may serve again only once the host has unsealed its KEK with the TPM (the
 * harness watches the machine's TPM bus) and had the HSM unwrap its data key (the HSM's own log of
 * the calls it served), and the record written before the outage must read back intact: keys
 * come back only as at first boot, never from a copy kept on disk.
 */
export default defineScenario({
  name: 'power-restore',
  description:
    'Power returns: the store serves again only after the TPM unseal and the HSM unwrap; the data written before the outage reads back intact; no key on disk',
  needs: ['cap:SYS_PTRACE', 'cap:NET_RAW'],
  sections: ['power', 'kms', 'hsm', 'store'],
  topology: outageTopology,
  contractBounds: [keyWipeBound],
  async run(context) {
    const { world } = context;
    const outage = await runOutage(context);
    const machine = world.machine('rack1');
    const capture = await TpmBusCapture.start(world, machine);
    try {
      const powerOnWallMs = await context.step(
        'power returns: mains on, the machine boots',
        async () => {
          await outage.restoreMains();
          const at = Date.now();
          // The heal of the registry's machine-power-off: the TPM afresh, the host boots cold.
          await outage.powerOn();
          return at;
        },
      );
      await context.step('serve again and read the record back', async () => {
        await awaitServing(world, outage.vm, bootTimeoutMs);
        const read = await storeRead(
          world.observer('sovereign'),
          outage.vm.address,
          storePort,
          storedObject.id,
        );
        const ok = read.status === 200 && read.body === storedObject.payload;
        context.observe('store-readback', {
          ok,
          status: read.status,
          detail: `GET /objects/${storedObject.id} ${read.status}${read.status === 200 ? (ok ? ', same bytes' : ', DIFFERENT bytes') : ` ${read.detail}`}`,
        });
      });
      await context.step('rewrite the record: its nonce must be new', async () => {
        // After the readback, so that the record the first boot wrote is what it judged.
        const path = objectPath(storedObject.id);
        const before = await readVmFile(world, outage.vm, path);
        const rewrite = await storeRoundTrip(
          world.observer('sovereign'),
          outage.vm.address,
          storePort,
          storedObject.id,
          rewrittenPayload,
        );
        const after = await readVmFile(world, outage.vm, path);
        context.observe(objectNonces, {
          objectId: storedObject.id,
          path,
          ...(before === undefined ? {} : { before: nonceOf(before) }),
          ...(after === undefined ? {} : { after: nonceOf(after) }),
          rewrite: { ok: rewrite.ok, detail: rewrite.detail },
        });
      });
      await context.step('read the TPM bus and the disks', async () => {
        context.observe('tpm-bus', { powerOnWallMs, ...(await capture.record()) });
        const hsm = world.allSims().find((sim): sim is StartedHsm => sim instanceof StartedHsm);
        context.observe('hsm-calls', {
          hsm: hsm?.name,
          calls: hsm === undefined ? [] : await hsmCalls(hsm),
        });
        await observeDiskScan(
          context,
          outage.vm,
          [...outage.secrets, outage.canary],
          'after-restore',
        );
      });
    } finally {
      await capture.stop().catch(() => undefined);
      await outage.finish();
    }
  },
  checks: [
    keysGoneFromMemory('keys-gone-before-power-off', keyWipeBound),
    servesOnlyAfterUnsealAndUnwrap('serves-only-after-unseal-and-unwrap'),
    dataIntactAfterRestore('data-intact-after-restore'),
    noKeyOnDiskAfterRestore('no-key-on-disk-after-restore'),
    objectNonceNeverRepeats,
  ],
  mutants: [
    {
      name: 'keys-from-disk-cache',
      description:
        'The shutdown saves the data key to the VM disk and the next boot takes it from there, skipping the TPM',
      expectFailing: ['serves-only-after-unseal-and-unwrap', 'no-key-on-disk-after-restore'],
      stackPatch: join(here, 'mutants', 'keys-from-disk-cache.patch'),
    },
    {
      name: 'shutdown-erases-key-records',
      description:
        'A crypto-erase on power failure: the shutdown shreds every key file, the KEK-sealed data key record on the VM disk as well, so the host comes back with a new data key and the data written before is lost',
      expectFailing: ['data-intact-after-restore'],
      stackPatch: join(here, 'mutants', 'shutdown-erases-key-records.patch'),
    },
    {
      name: 'object-nonce-counter-per-boot',
      description:
        "The store draws each object's GCM nonce from a counter (the deterministic construction) that it keeps in memory only: every boot counts from 1 again, and the first write after the power returned reuses the first boot's nonce under the same data key",
      expectFailing: ['object-nonce-never-repeats'],
      stackPatch: join(here, 'mutants', 'object-nonce-counter-per-boot.patch'),
    },
    {
      name: 'wipe-deletes-files-only',
      description:
        'The graceful shutdown removes key files from tmpfs but leaves the keys in memory until the power goes',
      expectFailing: ['keys-gone-before-power-off'],
      stackPatch: join(
        here,
        '..',
        'power-failure-key-wipe',
        'mutants',
        'wipe-deletes-files-only.patch',
      ),
    },
  ],
});
