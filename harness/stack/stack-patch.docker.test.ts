import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunSession } from '../runtime/run-session.ts';
import type { StartedContainer } from '../runtime/started-container.ts';
import { prepareEnvironment, type RunEnvironment } from '../scenario/environment.ts';
import { hostRecipeFor } from '../scenario/scenario-images.ts';
import { silentLogger } from '../util/log.ts';
import { hostImage } from '../../images/recipes.ts';
import { scenarios } from '../../scenarios/index.ts';
import { patchTargets } from './patch-targets.ts';

/** Mode, owner and SHA-256 of each file, as one line each, or "missing". */
async function describeFiles(container: StartedContainer, files: readonly string[]) {
  const script =
    'for f in "$@"; do if [ -e "$f" ]; then echo "$f $(stat -c "%a %u:%g" "$f") $(sha256sum < "$f" | cut -c1-64)"; else echo "$f missing"; fi; done';
  const result = await container.exec(['sh', '-c', script, 'describe', ...files]);
  expect(result.exitCode, result.stderr).toBe(0);
  return result.stdout;
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
 */
describe('patched stack images', () => {
  let environment: RunEnvironment;
  let session: RunSession;
  let host: string;

  beforeAll(async () => {
    environment = await prepareEnvironment({ log: silentLogger });
    session = await RunSession.open({
      docker: environment.engine.docker,
      namespace: environment.namespace,
      log: silentLogger,
      scenario: 'stack-patch-test',
    });
    host = (await environment.images.ensure(hostImage)).tag;
  });

  afterAll(async () => {
    await session.teardown();
  });

  for (const { scenario, mutant } of patchMutants) {
    it(`hold what patch -p1 makes in the stack image: ${scenario} / ${mutant.name}`, async () => {
      const text = await readFile(mutant.stackPatch ?? '', 'utf8');
      const targets = patchTargets(text, mutant.name);
      const files = [...targets.changed, ...targets.created];
      const recipe = await hostRecipeFor(environment.images, hostImage, mutant);
      const patched = await environment.images.ensure(recipe);

      const inPlace = await session
        .container(host, `in-place-${mutant.name}`)
        .withCommand(['sleep', 'infinity'])
        .withFile('/tmp/mutant.patch', text)
        .start();
      const applied = await inPlace.exec([
        'sh',
        '-c',
        'patch --forward --batch --no-backup-if-mismatch -p1 -d / < /tmp/mutant.patch',
      ]);
      expect(applied.exitCode, applied.stdout + applied.stderr).toBe(0);
      const laidOver = await session
        .container(patched.tag, `laid-over-${mutant.name}`)
        .withCommand(['sleep', 'infinity'])
        .start();

      const expected = await describeFiles(inPlace, files);
      expect(expected).not.toContain('missing');
      expect(await describeFiles(laidOver, files)).toBe(expected);
      await Promise.all([inPlace.remove(), laidOver.remove()]);
    });
  }
});
