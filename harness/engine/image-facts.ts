import type Docker from 'dockerode';
import { describeError } from '../util/sovh-error.ts';

/** What the engine says of an image: its content digest (the image id) and where it came from. */
export interface ImageFacts {
  tag: string;
  /** The engine's image id: the SHA-256 of the image's configuration, which names its layers. */
  id?: string;
  created?: string;
  sizeBytes?: number;
  architecture?: string;
  os?: string;
  /** Registry digests; empty for images built here (nothing is pushed). */
  repoDigests?: string[];
  /** The layers' content digests, bottom first. */
  layers?: string[];
  /** Why the engine could not describe it. */
  detail?: string;
}

/** Asks the engine about each image; one it cannot describe gets the reason, not an error. */
export async function inspectImages(
  docker: Docker,
  tags: readonly string[],
): Promise<ImageFacts[]> {
  return Promise.all(
    [...new Set(tags)].sort().map(async (tag): Promise<ImageFacts> => {
      try {
        const info = await docker.getImage(tag).inspect();
        return {
          tag,
          id: info.Id,
          created: info.Created,
          sizeBytes: info.Size,
          architecture: info.Architecture,
          os: info.Os,
          repoDigests: info.RepoDigests,
          layers: info.RootFS.Layers ?? [],
        };
      } catch (error) {
        return { tag, detail: `the engine could not inspect it: ${describeError(error)}` };
      }
    }),
  );
}
