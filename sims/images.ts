import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { baseImageRecipe, type DockerfileImageRecipe } from '../harness/engine/image-recipe.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** The image recipe of a simulator kind: sims/<kind>/image, built on the base image. */
export function simImage(kind: string): DockerfileImageRecipe {
  return {
    kind: 'dockerfile',
    name: `sim-${kind}`,
    contextDir: join(here, kind, 'image'),
    parent: baseImageRecipe,
  };
}
