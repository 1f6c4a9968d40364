import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { baseImageRecipe, type DockerfileImageRecipe } from '../harness/engine/image-recipe.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** The reference residency stack (images/host). */
export const hostImage: DockerfileImageRecipe = {
  kind: 'dockerfile',
  name: 'host',
  contextDir: join(here, 'host'),
  parent: baseImageRecipe,
};

/**
 * The machine "pod": holds a machine's network identity; its host and TPM join its namespace. It
 * carries iproute2 (the world installs the machine's routes) and the sysctl agent (images/pod).
 */
export const podImage: DockerfileImageRecipe = {
  kind: 'dockerfile',
  name: 'pod',
  contextDir: join(here, 'pod'),
  parent: baseImageRecipe,
};

/**
 * A deliberately broken stack: the host image with a patch applied. The build fails when the
 * patch no longer applies, so a mutant cannot silently turn into the unbroken stack.
 */
export function mutantHostImage(mutantName: string, patchText: string): DockerfileImageRecipe {
  return {
    kind: 'dockerfile',
    name: `host-mutant-${mutantName}`,
    contextDir: join(here, 'mutant'),
    parent: hostImage,
    extraFiles: { 'mutant.patch': patchText },
  };
}
