import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunSession } from '../runtime/run-session.ts';
import type { StartedContainer } from '../runtime/started-container.ts';
import { prepareEnvironment, type RunEnvironment } from '../scenario/environment.ts';
import { hostRecipeFor } from '../scenario/scenario-images.ts';
import { silentLogger } from '../util/log.ts';
import { hostImage } from '../../images/recipes.ts';
import { scenarios } from '../../scenarios/index.ts';
import { patchTargets } from './patch-targets.ts';
import { readArchive } from '../util/tar-archive.ts';

/**
 * The paths (from /, without the leading slash) of both names in every file header of a diff,
 * the old (`---`) and the new (`+++`) one. patch -p1 may pick either, so the private copy holds
 * whichever of them the image has, as `/` would.
 */
function headerPaths(patchText: string): string[] {
  const lines = patchText.split('\n');
  const paths = lines.flatMap((line, i) =>
    line.startsWith('--- ') && lines[i + 1]?.startsWith('+++ ') === true
      ? [line, lines[i + 1] ?? '']
      : [],
  );
  return [
    ...new Set(
      paths
        .map((line) => line.slice(4).split('\t')[0]?.trim() ?? '')
        .filter((path) => path !== '/dev/null')
        .map((path) => path.split('/').slice(1))
        // patch ignores names that climb out of its folder; so does the copy.
        .filter((parts) => parts.join('') !== '' && !parts.includes('..'))
        .map((parts) => parts.join('/')),
    ),
  ];
}

/**
 * Applies the patch (stdin) to a private copy of the files it names (the arguments after the
 * scratch root $1, up to "--") under that root, then describes there the files after "--", in
 * describeInImage's format: one line each, the path from / and its mode, owner and SHA-256, or
 * "missing" / "not a regular file". patch's own output goes to stderr: stdout holds the lines only.
 *
 * For those files this is what `patch -p1 -d /` makes in the stack image, without touching its
 * `/`, so that one container serves every mutant:
 * - `cp -a` keeps the bytes, mode and owner of each file the patch names (old and new names), as
 *   far as the image has it. patch reads no other file, so it meets the same input as in `/`: it
 *   patches the same bytes, and fails as it would in `/` on a file that is missing or on a file to
 *   create that exists already. (cp runs from / with relative paths: GNU cp 9.1 resolves
 *   --parents' folders against the working directory, and fails elsewhere.)
 * - patch writes a changed file with the original's mode and owner (root runs it, as in `/`).
 * - A file the patch creates gets root as owner and its mode from the umask of the exec that runs
 *   patch: the same engine exec as a `patch -d /` would run in (umask 0022). GNU patch makes the
 *   folders the scratch root lacks; folders were never compared, and are not here.
 */
const applyAndDescribe = `
set -eu
root=$1
shift
rm -rf "$root"
mkdir -p "$root"
cd /
while [ "$1" != -- ]; do
  if [ -e "$1" ] || [ -L "$1" ]; then cp -a --parents "$1" "$root"; fi
  shift
done
shift
patch --forward --batch --no-backup-if-mismatch -p1 -d "$root" >&2
cd "$root"
for f in "$@"; do
  f=\${f#/}
  if [ -L "$f" ] || { [ -e "$f" ] && [ ! -f "$f" ]; }; then echo "/$f not a regular file"
  elif [ -f "$f" ]; then echo "/$f $(stat -c "%a %u:%g" "$f") $(sha256sum < "$f" | cut -c1-64)"
  else echo "/$f missing"; fi
done
`;

/** The files the patch names, patched in a private copy in the reference container. */
async function patchInPlace(
  reference: StartedContainer,
  scratchRoot: string,
  patchText: string,
  files: readonly string[],
): Promise<string> {
  const result = await reference.exec(
    [
      'sh',
      '-c',
      applyAndDescribe,
      'apply-and-describe',
      scratchRoot,
      ...headerPaths(patchText),
      '--',
      ...files,
    ],
    { stdin: patchText, timeoutMs: 60_000 },
  );
  expect(result.exitCode, `patch -p1 in ${scratchRoot}: ${result.stdout}${result.stderr}`).toBe(0);
  return result.stdout;
}

/**
 * The same lines for the files in an image, read without starting a container: a created one's
 * filesystem answers the engine's archive API, whose tar headers carry the mode, uid and gid.
 */
async function describeInImage(
  session: RunSession,
  image: string,
  name: string,
  files: readonly string[],
) {
  session.assertOpen(`container ${name}`);
  const created = await session.creating(
    session.docker.createContainer({
      name: session.resourceName(name),
      Image: image,
      Labels: session.labels(),
      HostConfig: { NetworkMode: 'none' },
    }),
  );
  try {
    await session.removeIfClosed();
    const lines: string[] = [];
    for (const file of files) lines.push(`${file} ${await describeArchived(created, file)}`);
    return lines.map((line) => `${line}\n`).join('');
  } finally {
    await created.remove({ force: true, v: true });
  }
}

/** "mode uid:gid sha256" of one file as the engine archives it, or "missing" / "not a regular file". */
async function describeArchived(container: Docker.Container, path: string): Promise<string> {
  let archive: NodeJS.ReadableStream;
  try {
    archive = await container.getArchive({ path });
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return 'missing';
    throw error;
  }
  const entries = (await readArchive(archive)).map((entry) =>
    entry.type === 'file'
      ? // The engine adds the file-type bits (0o100000) to a header's mode; stat %a has none.
        `${(entry.mode & 0o7777).toString(8)} ${entry.uid}:${entry.gid} ${createHash('sha256').update(entry.content).digest('hex')}`
      : 'not a regular file',
  );
  // A file's archive holds that one entry.
  return entries.length === 1 ? (entries[0] ?? '') : `${entries.length} archive entries`;
}

const patchMutants = scenarios.flatMap((scenario) =>
  scenario.mutants
    .filter((m) => m.stackPatch !== undefined)
    .map((mutant) => ({ scenario: scenario.name, mutant })),
);

/**
 * A patched stack image (the patch applied in the harness's patcher and laid over the stack
 * image) must hold exactly what `patch -p1` inside the stack image itself makes: the same bytes,
 * modes and owners. Checked for every built-in mutant against the reference stack.
 *
 * One container of the reference stack serves every mutant, each patched in a copy of its own
 * (see applyAndDescribe); the patched images are read from created, never started, containers.
 */
describe('patched stack images', () => {
  let environment: RunEnvironment;
  let session: RunSession;
  /** The reference stack, running: every mutant is patched in a copy of its own there. */
  let reference: StartedContainer | undefined;

  beforeAll(async () => {
    environment = await prepareEnvironment({ log: silentLogger });
    session = await RunSession.open({
      docker: environment.engine.docker,
      namespace: environment.namespace,
      log: silentLogger,
      scenario: 'stack-patch-test',
    });
    const host = (await environment.images.ensure(hostImage)).tag;
    reference = await session
      .container(host, 'in-place')
      .withCommand(['sleep', 'infinity'])
      .start();
  });

  afterAll(async () => {
    try {
      await reference?.remove();
    } finally {
      await session.teardown();
    }
  });

  for (const { scenario, mutant } of patchMutants) {
    it(`hold what patch -p1 makes in the stack image: ${scenario} / ${mutant.name}`, async () => {
      const text = await readFile(mutant.stackPatch ?? '', 'utf8');
      const targets = patchTargets(text, mutant.name);
      const files = [...targets.changed, ...targets.created];
      const recipe = await hostRecipeFor(environment.images, hostImage, mutant);
      const patched = await environment.images.ensure(recipe);

      if (reference === undefined) throw new Error('the reference stack did not start');
      const expected = await patchInPlace(
        reference,
        `/tmp/in-place/${scenario}/${mutant.name}`,
        text,
        files,
      );
      expect(expected).not.toContain('missing');
      expect(expected).not.toContain('not a regular file');
      const laidOver = await describeInImage(
        session,
        patched.tag,
        `laid-over-${scenario}-${mutant.name}`,
        files,
      );
      expect(laidOver, `${patched.tag} against patch -p1 in the stack image`).toBe(expected);
    });
  }
});
