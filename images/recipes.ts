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

/** The harness's patch tool, used to build patched stack images (mutants) of any stack. */
export const patcherImage: DockerfileImageRecipe = {
  kind: 'dockerfile',
  name: 'patcher',
  contextDir: join(here, 'patcher'),
  parent: baseImageRecipe,
};

/** The build context of a patched stack image: its Dockerfile is made for each patch. */
export const stackPatchContextDir = join(here, 'stack-patch');
