import { readFile } from 'node:fs/promises';
import type { ImageBuilder } from '../engine/image-builder.ts';
import type { ImageRecipe } from '../engine/image-recipe.ts';
import { patchedStackImage } from '../stack/stack-patch.ts';
import { sourceRecipe } from '../stack/stack-resolver.ts';
import type { ResolvedStack } from '../stack/stack-resolver.ts';
import type { ResolvedTopology } from '../topology/topology-validator.ts';
import type { WorldImages } from '../world/world.ts';
import { simKind } from '../../sims/registry.ts';
import { observerImage } from '../../sims/observer/observer.ts';
import { swtpmImage } from '../../sims/tpm/swtpm.ts';
import { hostImage, podImage } from '../../images/recipes.ts';
import type { Mutant } from './scenario.ts';

/** The harness's images every world uses: machines are a pod and a TPM. */
export const harnessWorldImages = [podImage, swtpmImage] as const;

/** Images every world of the reference stack uses (every world has hosts). */
export const everyWorldImages = [...harnessWorldImages, hostImage] as const;

/**
 * The recipe of the hosts' image: the stack under test, or the mutant's variant of it (its patch
 * laid over the stack image, or a second image it names).
 */
export async function hostRecipeFor(
  builder: ImageBuilder,
  stack: ImageRecipe,
  mutant: Mutant | undefined,
): Promise<ImageRecipe> {
  // The reference stack's mutants keep their historical names: sovh/host-mutant-<name>.
  const prefix = stack === hostImage ? 'host' : 'stack';
  if (mutant?.stack !== undefined) {
    const { recipe } = await sourceRecipe(mutant.stack, builder.docker);
    return recipe.kind === 'dockerfile'
      ? { ...recipe, name: `${prefix}-mutant-${mutant.name}` }
      : recipe;
  }
  if (mutant?.stackPatch !== undefined) {
    return patchedStackImage(
      `${prefix}-mutant-${mutant.name}`,
      stack,
      await readFile(mutant.stackPatch, 'utf8'),
      `mutant ${mutant.name} (${mutant.stackPatch})`,
    );
  }
  return stack;
}

/** Builds (or reuses) every image a scenario's world needs, in parallel. */
export async function prepareWorldImages(
  builder: ImageBuilder,
  topology: ResolvedTopology,
  mutant: Mutant | undefined,
  stack?: ResolvedStack,
): Promise<WorldImages> {
  const hostRecipe = await hostRecipeFor(builder, stack?.recipe ?? hostImage, mutant);
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
