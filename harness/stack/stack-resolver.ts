import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type Docker from 'dockerode';
import {
  contractSectionNames,
  contractSectionsLabel,
  parseContractSections,
  type ContractSection,
} from '../contract/contract-sections.ts';
import type { ImageBuilder } from '../engine/image-builder.ts';
import { baseImageRecipe, type ImageRecipe } from '../engine/image-recipe.ts';
import type { Logger } from '../util/log.ts';
import { isSovhError, SovhError } from '../util/sovh-error.ts';
import { hostImage } from '../../images/recipes.ts';
import { externalFromImages } from './dockerfile-from.ts';
import { fileSha256, loadImageArchive } from './image-archive.ts';
import { describeStackSource, type StackSource } from './stack-source.ts';

/** What results.json, the report and the evidence bundle say of the stack under test. */
export interface StackRecord {
  /** Where it came from, in words: "the Dockerfile in /src/stack". */
  source: string;
  kind: StackSource['kind'];
  /** The tag (or id) its hosts were started from. */
  image: string;
  /** The engine's image id: the SHA-256 of the image's configuration, which names every layer. */
  id: string;
  /** Registry digests (`name@sha256:...`); empty for an image built or loaded here. */
  repoDigests: string[];
  /** The SHA-256 of the archive file, when the stack was loaded from one. */
  archiveSha256?: string;
  sections: ContractSection[];
  /** Who declared them: the image label, or the config file. */
  sectionsDeclaredBy: string;
}

/** The stack under test, ready: its image exists in the engine and its sections are known. */
export interface ResolvedStack {
  source: StackSource;
  /** Only the reference stack runs the built-in mutants (patches against images/host). */
  reference: boolean;
  /** The recipe of its image; patch mutants are built on it. */
  recipe: ImageRecipe;
  record: StackRecord;
}

export interface StackDeclaration {
  sections: readonly ContractSection[];
  /** e.g. "/src/stack/sovh.config.ts". */
  declaredBy: string;
}

/** A name fit for an image tag, from a directory or file name. */
function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[-._]+|[-._]+$/g, '') || 'stack'
  );
}

async function imageIdOf(docker: Docker, reference: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(reference).inspect()).Id;
  } catch {
    return undefined;
  }
}

/** The recipe of a Dockerfile directory, its `FROM` images pinned by id (they must be present). */
async function dockerfileRecipe(docker: Docker, dir: string): Promise<ImageRecipe> {
  const dockerfile = await readFile(join(dir, 'Dockerfile'), 'utf8');
  const hashInputs: Record<string, string> = {};
  for (const image of externalFromImages(dockerfile)) {
    const id = await imageIdOf(docker, image);
    if (id === undefined) {
      throw new SovhError(
        'STACK_FROM_IMAGE_MISSING',
        `stack ${dir}: its Dockerfile starts FROM ${image}, which is not in the engine (the harness pulls nothing); build or load it first, or start FROM \${PARENT_IMAGE} (ARG PARENT_IMAGE), the harness's Debian base`,
        { details: { dir, image } },
      );
    }
    hashInputs[`from:${image}`] = id;
  }
  return {
    kind: 'dockerfile',
    name: `stack-${slug(basename(dir))}`,
    contextDir: dir,
    parent: baseImageRecipe,
    hashInputs,
  };
}

export async function sourceRecipe(
  source: StackSource,
  docker: Docker,
): Promise<{ recipe: ImageRecipe; archiveSha256?: string }> {
  switch (source.kind) {
    case 'reference':
      return { recipe: hostImage };
    case 'dockerfile':
      return { recipe: await dockerfileRecipe(docker, source.dir) };
    case 'image': {
      const id = await imageIdOf(docker, source.reference);
      if (id === undefined) {
        throw new SovhError(
          'STACK_IMAGE_NOT_FOUND',
          `stack ${source.reference}: no such image in the engine, and no such path; build it (\`docker build -t ${source.reference} DIR\`), load it (\`docker load -i FILE.tar\`), or pass the Dockerfile directory or the archive instead`,
        );
      }
      return { recipe: { kind: 'existing', name: source.reference, id } };
    }
    case 'archive': {
      const [loaded, archiveSha256] = await Promise.all([
        loadImageArchive(docker, source.path),
        fileSha256(source.path),
      ]);
      const id = await imageIdOf(docker, loaded);
      if (id === undefined)
        throw new SovhError(
          'STACK_ARCHIVE_INVALID',
          `stack ${source.path}: ${loaded} was loaded but the engine does not find it`,
        );
      return { recipe: { kind: 'existing', name: basename(source.path), id }, archiveSha256 };
    }
  }
}

/** The sections an image declares through its label; unknown names are bad input. */
function labelSections(
  labels: Record<string, string> | undefined,
  description: string,
): StackDeclaration | undefined {
  const value = labels?.[contractSectionsLabel];
  if (value === undefined) return undefined;
  const { sections, unknown } = parseContractSections(value);
  if (unknown.length > 0) {
    throw new SovhError(
      'STACK_SECTIONS_UNKNOWN',
      `${description} declares unknown contract section(s) ${unknown.map((u) => `"${u}"`).join(', ')} in its label ${contractSectionsLabel}; known sections: ${contractSectionNames.join(', ')}`,
    );
  }
  return { sections, declaredBy: `image label ${contractSectionsLabel}` };
}

/**
 * Makes the stack under test ready: builds a Dockerfile directory (cached by recipe hash), loads
 * an archive, or finds an image, and reads the contract sections it declares (the config file's
 * declaration wins over the image label). A stack that declares none is refused, with the fix:
 * a run in which every scenario is "not applicable" would pass and prove nothing.
 */
export async function resolveStack(
  source: StackSource,
  options: { docker: Docker; images: ImageBuilder; log: Logger; declared?: StackDeclaration },
): Promise<ResolvedStack> {
  const { docker, images, log } = options;
  const description = describeStackSource(source);
  log.info(`stack under test: ${description}`);
  const { recipe, archiveSha256 } = await sourceRecipe(source, docker);
  let built;
  try {
    built = await images.ensure(recipe);
  } catch (error) {
    if (isSovhError(error, 'IMAGE_BUILD_FAILED') && source.kind === 'dockerfile') {
      throw new SovhError('STACK_BUILD_FAILED', `the stack's ${error.message}`, {
        cause: error,
        details: error.details,
      });
    }
    throw error;
  }
  const info = await docker.getImage(built.tag).inspect();
  const declaration = options.declared ?? labelSections(info.Config.Labels, description);
  if (declaration === undefined || declaration.sections.length === 0) {
    throw new SovhError(
      'STACK_DECLARES_NO_SECTIONS',
      `${description} declares no contract sections, so no scenario would apply to it; declare the ones it implements with \`LABEL ${contractSectionsLabel}="boot-binding,egress,dns"\` in its Dockerfile or \`sections: [...]\` in sovh.config.ts (known sections: ${contractSectionNames.join(', ')})`,
    );
  }
  return {
    source,
    reference: source.kind === 'reference',
    recipe,
    record: {
      source: description,
      kind: source.kind,
      image: built.tag,
      id: info.Id,
      repoDigests: info.RepoDigests,
      archiveSha256,
      sections: [...declaration.sections],
      sectionsDeclaredBy: declaration.declaredBy,
    },
  };
}
