import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import tarFs from 'tar-fs';

/** Packs a folder into a gzipped tar (its files only, paths relative to it). */
export async function packFolder(dir: string, file: string): Promise<void> {
  await pipeline(tarFs.pack(dir), createGzip(), createWriteStream(file));
}

/** Unpacks a gzipped tar into a folder; entries that would land outside it are refused by tar-fs. */
export async function unpackArchive(file: string, dir: string): Promise<void> {
  await pipeline(
    createReadStream(file),
    createGunzip(),
    tarFs.extract(dir, {
      // Only regular files and folders: a capsule has no links or devices to follow.
      ignore: (_name, header) =>
        header !== undefined && header.type !== 'file' && header.type !== 'directory',
    }),
  );
}
