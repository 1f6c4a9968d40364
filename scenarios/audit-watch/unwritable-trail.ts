import { lastObservation, MissingEvidence, type Check } from '../../harness/checks/check.ts';
import { probeStoreIfAnswered } from '../../harness/checks/probes/custody-evidence.ts';
import { listStoreFiles } from '../../harness/checks/probes/data-at-rest.ts';
import { storeRoundTrip } from '../../harness/checks/probes/store-probe.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { injectFault } from '../../harness/faults/inject-fault.ts';
import { storePort } from '../../harness/contract/site-file.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import { waitUntil } from '../../harness/util/wait-until.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';

/** How long the store has to close once a record could not be appended (log-or-die's haltMs). */
const closeWithinMs = 10_000;

/** A write after the store's audit trail became unwritable, with room left on the audit disk. */
export interface UnwritableTrailWrite {
  host: string;
  objectId: string;
  putStatus: number;
  detail: string;
  /** The object's file on the data disk after the write, if any. */
  objectFile?: string;
  /** Whether the store refused connections from the zone within `closeWithinMs` of the write. */
  closed: boolean;
}

export const unwritableTrailWrite = observationKey<UnwritableTrailWrite>('unwritable-trail-write');

/**
 * Makes the store's audit trail unwritable (fault audit-trail-unwritable: a directory where it
 * lies on the host's audit disk, put there from the audit machine, the disk's room untouched),
 * writes once through the store API, then probes the store from the zone until it refuses or
 * `closeWithinMs` has passed, and lists the data disk.
 */
export async function observeUnwritableTrailWrite(
  context: ScenarioContext,
  host: HostVm,
  objectId: string,
): Promise<UnwritableTrailWrite> {
  const { world } = context;
  await injectFault(context, 'audit-trail-unwritable', { host: host.name });
  const write = await storeRoundTrip(
    world.observer(host.machine.spec.zone),
    host.address,
    storePort,
    objectId,
    `record after the trail became unwritable ${objectId}`,
  );
  const closed = await waitUntil(
    async () => ((await probeStoreIfAnswered(world, host))?.connected === false ? true : undefined),
    {
      what: `the store of ${host.name}`,
      expected: 'refusing connections',
      timeoutMs: closeWithinMs,
      intervalMs: 250,
    },
  ).catch(() => false);
  const objectFile = (await listStoreFiles(world, host)).find((f) =>
    f.path.endsWith(`/${objectId}.obj`),
  )?.path;
  return context.observe(unwritableTrailWrite, {
    host: host.name,
    objectId,
    putStatus: write.putStatus,
    detail: write.detail,
    ...(objectFile === undefined ? {} : { objectFile }),
    closed,
  });
}

/**
 * Log-Or-Die on any failure of the record, not only a full disk (CONTRACT.md, the store's audit
 * trail): a write whose record cannot be appended is refused (503, nothing written) and the store
 * halts. A stack that only logs a failed append, because its room check "already guards
 * Log-Or-Die", stores writes that no record will ever name.
 */
export const writeRefusedWhenTrailUnwritable: Check = {
  name: 'write-refused-when-trail-unwritable',
  description: `With room on the audit disk but the store's audit trail unwritable (a directory in its place), a write is refused, nothing reaches the data disk, and the store stops accepting connections within ${closeWithinMs} ms`,
  verify(history) {
    const write = lastObservation(history, unwritableTrailWrite).data;
    if (write.putStatus === 0)
      throw new MissingEvidence(
        unwritableTrailWrite.name,
        `the write got no answer at all (${write.detail}): the store was not there to judge`,
      );
    const problems = [
      ...(write.putStatus === 201 ? [`the write was taken (${write.detail})`] : []),
      ...(write.objectFile === undefined ? [] : [`${write.objectFile} is on the data disk`]),
      ...(write.closed ? [] : [`the store still took connections ${closeWithinMs} ms later`]),
    ];
    return verdictOf(
      problems.length === 0,
      `${write.host} refused the write (${write.putStatus}), wrote nothing, and halted`,
      `${write.host} with an unwritable audit trail: ${problems.join('; ')}`,
      {
        expected: 'the write refused (503), no object file, the store closed',
        observed: `PUT ${write.putStatus}; object file ${write.objectFile ?? 'none'}; closed ${String(write.closed)}`,
      },
    );
  },
};
