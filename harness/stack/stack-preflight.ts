import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { hostCapabilities, hostLockablePaths, hostPaths } from '../contract/host-paths.ts';
import { sealedPcrs, siteFileSchema, storePort } from '../contract/site-file.ts';
import { RunSession } from '../runtime/run-session.ts';
import type { Logger } from '../util/log.ts';
import { SovhError } from '../util/sovh-error.ts';
import { swtpmTcti } from '../../sims/tpm/swtpm.ts';

/** How long the stack must keep running, alone, before a run trusts it to boot at all. */
export const preflightHoldMs = 3_000;
const logTailLines = 20;

/** A site file for a host with nothing in reach: a stack must refuse its services and keep running. */
function loneSiteFile(): string {
  return JSON.stringify(
    siteFileSchema.parse({
      version: 1,
      host: 'preflight',
      zone: { name: 'sovereign', jurisdiction: 'ZZ', kind: 'sovereign' },
      cell: null,
      domesticCidrs: ['10.40.0.0/16'],
      tpm: { tcti: swtpmTcti, pcrs: sealedPcrs },
      store: { port: storePort },
    }),
  );
}

/**
 * Boots the stack image once on its own (no network, no TPM, no disks but its own) and checks
 * that it is still running after `preflightHoldMs`. The contract says its command keeps running
 * until the container stops, also when it refuses to start its services; an image that exits at
 * once would otherwise cost every scenario its bring-up and waits before saying the same thing.
 */
export async function preflightStack(
  docker: Docker,
  image: string,
  options: {
    namespace: string;
    log: Logger;
    description: string;
    /** A harness image with chattr: it unlocks what the stack locked, from outside it. */
    helperImage: string;
  },
): Promise<void> {
  const session = await RunSession.open({
    docker,
    namespace: options.namespace,
    log: options.log,
    scenario: 'stack-preflight',
  });
  try {
    const container = await session
      .container(image, 'stack-preflight')
      .withNode('preflight', 'host')
      .withCapabilities(...hostCapabilities)
      .withTmpfs('/run', 'rw,nosuid,size=64m')
      .withFile(hostPaths.siteFile, loneSiteFile(), 0o644)
      // The stack may lock these at once (here the engine's own resolv.conf): the engine could
      // not remove the container with an immutable file in it.
      .withUnlockBeforeRemoval(hostLockablePaths, { helperImage: options.helperImage })
      .withInit()
      .start();
    const startedAt = Date.now();
    while (Date.now() - startedAt < preflightHoldMs) {
      await sleep(500);
      const state = (await docker.getContainer(container.id).inspect()).State;
      if (!state.Running) {
        const output = await container.logs(logTailLines).catch(() => '');
        throw new SovhError(
          'STACK_EXITED',
          `the stack under test (${options.description}, image ${image}) exited with code ${state.ExitCode} ${Date.now() - startedAt}ms after it started, alone with a site file and no TPM; the contract says the stack's command keeps running until the container is stopped, also when it refuses to start its services (images/host/CONTRACT.md, "How the harness runs a host"). Its last ${logTailLines} log lines:\n${
            output
              .trimEnd()
              .split('\n')
              .map((l) => `  | ${l}`)
              .join('\n') || '  (no output)'
          }`,
          { details: { image, exitCode: state.ExitCode } },
        );
      }
    }
  } finally {
    await session.teardown();
  }
}
