import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { describeError, SovhError } from '../../util/sovh-error.ts';
import { manifestPath } from './bundle-manifest.ts';

/** A bundle as read: its files by path inside it, and what could not be read as a plain file. */
export interface ReadBundle {
  files: Map<string, Buffer>;
  /** Entries that are not regular files (links, devices) or lie outside the bundle's folder. */
  oddities: string[];
}

async function readDirectory(root: string): Promise<ReadBundle> {
  const files = new Map<string, Buffer>();
  const oddities: string[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full, path);
      else if (entry.isFile()) files.set(path, await readFile(full));
      else oddities.push(`${path} is not a regular file`);
    }
  };
  await walk(root, '');
  return { files, oddities };
}

async function readTarGz(archive: string): Promise<ReadBundle> {
  const entries = new Map<string, Buffer>();
  const oddities: string[] = [];
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
      stream.on('end', () => {
        const name = posix.normalize(header.name).replace(/^\.\//, '').replace(/\/$/, '');
        if (header.type === 'file') entries.set(name, Buffer.concat(chunks));
        else if (header.type !== 'directory') oddities.push(`${name} is not a regular file`);
        next();
      });
      stream.on('error', reject);
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  const gunzip = createGunzip();
  const fail = (error: Error) => {
    extract.destroy(error);
  };
  gunzip.on('error', fail);
  createReadStream(archive).on('error', fail).pipe(gunzip).pipe(extract);
  await done;
  // The bundle is the folder that holds the manifest (evidence/ in the archives sovh writes).
  const manifests = [...entries.keys()]
    .filter((p) => p === manifestPath || p.endsWith(`/${manifestPath}`))
    .sort((a, b) => a.split('/').length - b.split('/').length);
  const root = manifests[0]?.slice(0, -manifestPath.length) ?? '';
  const files = new Map<string, Buffer>();
  for (const [path, content] of entries) {
    if (path.startsWith(root)) files.set(path.slice(root.length), content);
    else oddities.push(`${path} lies outside the bundle folder ${root}`);
  }
  return { files, oddities };
}

/** Reads a bundle from its folder or its .tar.gz; an unreadable path names the problem. */
export async function readBundle(path: string): Promise<ReadBundle> {
  const info = await lstat(path).catch(() => undefined);
  if (info === undefined) {
    throw new SovhError(
      'BUNDLE_NOT_FOUND',
      `no evidence bundle at ${path}; give the evidence/ folder of a run or its evidence.tar.gz`,
    );
  }
  if (info.isDirectory()) return readDirectory(path);
  try {
    return await readTarGz(path);
  } catch (error) {
    throw new SovhError(
      'BUNDLE_UNREADABLE',
      `${path} is neither a folder nor a readable .tar.gz (${describeError(error)}); give the evidence/ folder of a run or its evidence.tar.gz`,
      { cause: error },
    );
  }
}
