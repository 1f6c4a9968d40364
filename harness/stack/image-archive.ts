import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type Docker from 'dockerode';
import { describeError, SovhError } from '../util/sovh-error.ts';

interface LoadMessage {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** The images a `docker load` answer names: `Loaded image: name:tag` or `Loaded image ID: sha256:...`. */
export function loadedImages(messages: readonly LoadMessage[]): string[] {
  const names: string[] = [];
  for (const message of messages) {
    for (const line of (message.stream ?? '').split('\n')) {
      const match = /^Loaded image(?: ID)?: (\S+)/.exec(line.trim());
      if (match?.[1] !== undefined) names.push(match[1]);
    }
  }
  return names;
}

/** The SHA-256 of a file, read as a stream: archives are hundreds of megabytes. */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Loads an image archive made by `docker save` into the engine and returns the one image it
 * holds (by name, or by id when it was saved by id). An archive of several images is refused: the
 * stack under test is one image.
 */
export async function loadImageArchive(docker: Docker, path: string): Promise<string> {
  let messages: LoadMessage[];
  try {
    const stream = await docker.loadImage(createReadStream(path), { quiet: true });
    messages = await new Promise<LoadMessage[]>((resolve, reject) => {
      docker.modem.followProgress(stream, (error: Error | null, output: LoadMessage[]) => {
        if (error !== null) reject(error);
        else resolve(output);
      });
    });
  } catch (error) {
    throw new SovhError(
      'STACK_ARCHIVE_INVALID',
      `stack ${path}: the engine could not load it as an image archive (${describeError(error)}); make one with \`docker save NAME:TAG -o FILE.tar\``,
      { cause: error },
    );
  }
  const failure = messages.find((m) => m.error !== undefined);
  if (failure !== undefined) {
    throw new SovhError(
      'STACK_ARCHIVE_INVALID',
      `stack ${path}: the engine could not load it as an image archive (${failure.errorDetail?.message ?? failure.error ?? ''}); make one with \`docker save NAME:TAG -o FILE.tar\``,
    );
  }
  const images = loadedImages(messages);
  const [only] = images;
  if (images.length !== 1 || only === undefined) {
    throw new SovhError(
      'STACK_ARCHIVE_NOT_ONE_IMAGE',
      `stack ${path}: the archive holds ${images.length} images (${images.join(', ') || 'none'}); save the one stack image alone (\`docker save NAME:TAG -o FILE.tar\`), or pass \`--stack NAME:TAG\` now that it is loaded`,
    );
  }
  return only;
}
