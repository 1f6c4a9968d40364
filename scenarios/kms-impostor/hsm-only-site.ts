import { setTimeout as sleep } from 'node:timers/promises';
import { lastObservation, MissingEvidence, type Check } from '../../harness/checks/check.ts';
import { probeStoreIfAnswered } from '../../harness/checks/probes/custody-evidence.ts';
import { readVmFile } from '../../harness/checks/probes/disk-forensics.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { hostPaths } from '../../harness/contract/host-paths.ts';
import { logMarkers } from '../../harness/contract/log-markers.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import { waitUntil } from '../../harness/util/wait-until.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';

/** How long a boot may take to serve or to refuse its site file. */
const outcomeTimeoutMs = 90_000;
/** How long the store must stay closed after the refusal before it is probed again. */
const holdMs = 3_000;

/** A host whose site file names its cell's HSM and no KMS: what its boot came to, from outside. */
export interface HsmOnlyBoot {
  host: string;
  /** 'serving': the store took a connection from the zone; 'refused': the log's SITE_FILE_ERROR came first. */
  outcome: 'serving' | 'refused';
  /** The refusal's line of the residency log (read off the VM disk), if any. */
  refusal?: string;
  /** The store probed from the zone after the hold; undefined when the probe did not finish. */
  servingAfterHold?: boolean;
}

export const hsmOnlyBoot = observationKey<HsmOnlyBoot>('hsm-only-boot');

/**
 * Waits until the host's store takes a connection from the zone or its residency log (read off
 * the VM disk) holds SITE_FILE_ERROR; after a refusal, holds a few seconds and probes again.
 */
export async function observeHsmOnlyBoot(
  context: ScenarioContext,
  host: HostVm,
): Promise<HsmOnlyBoot> {
  const { world } = context;
  const refusalLine = async () =>
    (await readVmFile(world, host, hostPaths.residencyLog))
      ?.toString('utf8')
      .split('\n')
      .find((l) => l.includes(logMarkers.siteFileError));
  const outcome = await waitUntil(
    async (): Promise<HsmOnlyBoot | undefined> => {
      if ((await probeStoreIfAnswered(world, host))?.connected === true)
        return { host: host.name, outcome: 'serving' };
      const refusal = await refusalLine();
      return refusal === undefined ? undefined : { host: host.name, outcome: 'refused', refusal };
    },
    {
      what: `host ${host.name}, whose site names an HSM and no KMS`,
      expected: `its store taking connections, or ${logMarkers.siteFileError} in its residency log`,
      timeoutMs: outcomeTimeoutMs,
      intervalMs: 1_000,
    },
  );
  if (outcome.outcome === 'refused') {
    await sleep(holdMs);
    const probe = await probeStoreIfAnswered(world, host);
    if (probe !== undefined) outcome.servingAfterHold = probe.connected;
  }
  return context.observe(hsmOnlyBoot, outcome);
}

/**
 * Key custody needs both the KMS and the HSM (CONTRACT.md): a site file that names one of them
 * is refused with SITE_FILE_ERROR, and the store never serves. A stack that takes a site with an
 * HSM and no KMS for a site without custody serves from a local data key the HSM never protects.
 */
export const hsmOnlySiteRefused: Check = {
  name: 'hsm-only-site-refused',
  description: `A host whose site file names its cell's HSM and no KMS is refused (${logMarkers.siteFileError} in its residency log) and its store never serves, probed from the zone`,
  verify(history) {
    const boot = lastObservation(history, hsmOnlyBoot).data;
    if (boot.outcome === 'refused' && boot.servingAfterHold === undefined)
      throw new MissingEvidence(hsmOnlyBoot.name, 'the probe after the refusal did not finish');
    const ok = boot.outcome === 'refused' && boot.servingAfterHold === false;
    return verdictOf(
      ok,
      `${boot.host} refused its site file and its store stayed closed: ${boot.refusal ?? ''}`,
      boot.outcome === 'serving'
        ? `${boot.host}'s store served, with an HSM and no KMS in its site file: its data key is one no HSM protects`
        : `${boot.host} logged the refusal, but its store took a connection afterwards`,
      {
        expected: `${logMarkers.siteFileError}, and no connection to the store`,
        observed: `${boot.outcome}${boot.servingAfterHold === true ? ', serving after the hold' : ''}`,
        evidence: [
          {
            source: 'residency.log on the VM disk; TCP connects from the zone observer',
            excerpt: boot.refusal ?? '(no refusal line)',
          },
        ],
      },
    );
  },
};
