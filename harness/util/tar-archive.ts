import { Readable } from 'node:stream';
import tar from 'tar-stream';

export interface ArchiveEntry {
  /** Path inside the archive, relative (no leading slash). */
  path: string;
  content: string | Buffer;
  mode?: number;
}

/** Packs in-memory files into a tar stream, the format the engine takes for copies into a container. */
export function packFiles(entries: ArchiveEntry[]): Readable {
  const pack = tar.pack();
  for (const entry of entries) {
    pack.entry({ name: entry.path.replace(/^\/+/, ''), mode: entry.mode ?? 0o644 }, entry.content);
  }
  pack.finalize();
  // tar-stream produces a streamx stream; the engine client expects a Node stream.
  return Readable.from(pack);
}

/** One entry of a tar stream: its header's type, mode and owner, and its bytes. */
export interface ReadEntry {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  content: Buffer;
}

/** Reads every entry of a tar stream (what the engine returns for a path's archive). */
export async function readArchive(archive: NodeJS.ReadableStream): Promise<ReadEntry[]> {
  const extract = tar.extract();
  const entries: ReadEntry[] = [];
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
      stream.on('end', () => {
        entries.push({
          type: header.type,
          mode: header.mode,
          uid: header.uid,
          gid: header.gid,
          content: Buffer.concat(chunks),
        });
        next();
      });
      stream.resume();
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  archive.pipe(extract);
  await done;
  return entries;
}

/** Reads the first regular file of a tar stream (what the engine returns for a file's archive). */
export async function readFirstFile(archive: NodeJS.ReadableStream): Promise<Buffer> {
  const found = (await readArchive(archive)).find((e) => e.type === 'file');
  if (found === undefined) throw new Error('the archive holds no regular file');
  return found.content;
}
