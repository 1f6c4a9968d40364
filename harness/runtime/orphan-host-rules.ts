import type Docker from 'dockerode';
import { raceDeadline } from '../util/deadline.ts';
import { describeError } from '../util/sovh-error.ts';
import { orphanRoutingRulesScript } from './bridge-routing.ts';
import { demuxLogBuffer } from './started-container.ts';

/** The harness image that carries iptables and iproute2 (the routing helper's image). */
const helperImageLabel = 'dev.sovh.image=sim-observer';
const pruneBoundMs = 60_000;

export interface HostRulePrune {
  /** Bridges whose rules were removed (or, when only listing, are orphans). */
  removed: string[];
  /** Why nothing could be looked at, when so (no helper image: no run ever added rules). */
  skipped?: string;
}

/**
 * Removes the engine host's DOCKER-USER rules that runs added for their zone bridges (see
 * bridge-routing.ts) where the bridge is gone: what a run killed before its teardown left on the
 * machine outside the engine's own objects. Rules of live runs keep their bridge and stay.
 */
export async function pruneOrphanHostRules(docker: Docker): Promise<HostRulePrune> {
  return orphanHostRules(docker, 'prune');
}

/** The bridges whose rules are orphans, without touching them (for tests and `doctor`). */
export async function listOrphanHostRules(docker: Docker): Promise<HostRulePrune> {
  return orphanHostRules(docker, 'list');
}

async function orphanHostRules(docker: Docker, mode: 'list' | 'prune'): Promise<HostRulePrune> {
  const images = await docker.listImages({ filters: { label: [helperImageLabel] } });
  const image = images.find((i) => (i.RepoTags ?? []).some((t) => !t.includes('<none>')))
    ?.RepoTags?.[0];
  if (image === undefined)
    return { removed: [], skipped: 'no harness helper image in the engine: no run added rules' };
  const helper = await docker.createContainer({
    Image: image,
    Entrypoint: ['sh', '-c'],
    Cmd: [orphanRoutingRulesScript(mode)],
    Labels: { 'dev.sovh.helper': 'prune-host-rules' },
    HostConfig: { NetworkMode: 'host', CapAdd: ['NET_ADMIN', 'NET_RAW'] },
  });
  try {
    await helper.start();
    const outcome = (await raceDeadline(
      helper.wait(),
      pruneBoundMs,
      () => new Error(`the host-rule helper did not end within ${String(pruneBoundMs)} ms`),
    )) as { StatusCode: number };
    const output = demuxLogBuffer(await helper.logs({ stdout: true, stderr: true }));
    if (outcome.StatusCode !== 0)
      throw new Error(
        `the host-rule helper exited ${String(outcome.StatusCode)}: ${output.trim()}`,
      );
    return {
      // A bridge has one IPv4 rule and three IPv6 ones: each bridge is named once.
      removed: [
        ...new Set(
          output
            .split('\n')
            .map((line) => /^(?:removed|orphan) (br-[0-9a-f]+)$/.exec(line.trim())?.[1])
            .filter((b): b is string => b !== undefined),
        ),
      ],
    };
  } catch (error) {
    throw new Error(`could not prune the host's routing rules: ${describeError(error)}`, {
      cause: error,
    });
  } finally {
    await helper.remove({ force: true }).catch(() => undefined);
  }
}
