import { SovhError } from '../util/sovh-error.ts';

/** The files a unified diff (paths from `/`, applied with `-p1`) changes and creates. */
export interface PatchTargets {
  /** Absolute paths of files the patch changes: they must exist in the image. */
  changed: string[];
  /** Absolute paths of files the patch creates (`--- /dev/null`). */
  created: string[];
}

/** The path of a `---`/`+++` header line without its timestamp, or undefined for /dev/null. */
function headerPath(line: string): string | undefined {
  const path = line.slice(4).split('\t')[0]?.trim() ?? '';
  return path === '/dev/null' ? undefined : path;
}

/** `a/usr/lib/x.py` (patch -p1) as `/usr/lib/x.py`; refuses paths that climb out of `/`. */
function absoluteTarget(path: string, source: string): string {
  const parts = path.split('/').slice(1);
  if (parts.length === 0 || parts.some((p) => p === '..') || parts.join('') === '') {
    throw new SovhError(
      'MUTANT_PATCH_INVALID',
      `${source}: the patch names "${path}", which is not a path from / with one leading component (a/usr/..., as \`diff -ru a b\` or \`git diff\` write it)`,
    );
  }
  return `/${parts.join('/')}`;
}

/**
 * Reads the file headers of a unified diff. A patch that deletes a file cannot be expressed as
 * files laid over an image, so it is refused with the alternative named.
 */
export function patchTargets(patchText: string, source: string): PatchTargets {
  const changed = new Set<string>();
  const created = new Set<string>();
  const lines = patchText.split('\n');
  lines.forEach((line, i) => {
    const next = lines[i + 1];
    if (!line.startsWith('--- ') || next?.startsWith('+++ ') !== true) return;
    const oldPath = headerPath(line);
    const newPath = headerPath(next);
    if (newPath === undefined) {
      throw new SovhError(
        'MUTANT_PATCH_DELETES',
        `${source}: the patch deletes ${oldPath ?? 'a file'}; a patch mutant can change and add files only. Give this mutant as an image or a Dockerfile directory instead (\`image:\` or \`dockerfile:\` in sovh.config.ts)`,
      );
    }
    (oldPath === undefined ? created : changed).add(absoluteTarget(newPath, source));
  });
  if (changed.size === 0 && created.size === 0) {
    throw new SovhError(
      'MUTANT_PATCH_INVALID',
      `${source}: no file headers (--- a/PATH, +++ b/PATH) found; give a unified diff with paths from /, e.g. \`diff -u a/etc/x b/etc/x\``,
    );
  }
  return { changed: [...changed].sort(), created: [...created].sort() };
}
