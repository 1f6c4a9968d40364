import { readFile } from 'node:fs/promises';
import { simKind } from '../../sims/registry.ts';
import { observerImage } from '../../sims/observer/observer.ts';
import { swtpmImage } from '../../sims/tpm/swtpm.ts';
import { hostImage, mutantHostImage, podImage } from '../../images/recipes.ts';
import type { ImageBuilder } from '../engine/image-builder.ts';
import type { ResolvedTopology } from '../topology/topology-validator.ts';
import type { WorldImages } from '../world/world.ts';
import type { Mutant } from './scenario.ts';

/** Images every world uses (machines are a pod and a TPM; every world has hosts). */
export const everyWorldImages = [podImage, swtpmImage, hostImage] as const;

/** Builds (or reuses) every image a scenario's world needs, in parallel. */
export async function prepareWorldImages(
  builder: ImageBuilder,
  topology: ResolvedTopology,
  mutant: Mutant | undefined,
): Promise<WorldImages> {
  const hostRecipe =
    mutant?.stackPatch === undefined
      ? hostImage
      : mutantHostImage(mutant.name, await readFile(mutant.stackPatch, 'utf8'));
  const kinds = [...new Set(topology.services.map((s) => s.kind))];
  const [pod, tpm, observer, host, ...simTags] = await Promise.all([
    builder.ensure(podImage),
    builder.ensure(swtpmImage),
    builder.ensure(observerImage),
    builder.ensure(hostRecipe),
    ...kinds.map((kind) => builder.ensure(simKind(kind).image)),
  ]);
  return {
    pod: pod.tag,
    tpm: tpm.tag,
    observer: observer.tag,
    host: host.tag,
    sims: Object.fromEntries(kinds.map((kind, i) => [kind, simTags[i]?.tag ?? ''])),
  };
}
