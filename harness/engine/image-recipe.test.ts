import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  baseImageRecipe,
  contextFiles,
  imageTag,
  recipeHash,
  type DockerfileImageRecipe,
} from './image-recipe.ts';

async function recipeIn(content: string): Promise<DockerfileImageRecipe> {
  const dir = await mkdtemp(join(tmpdir(), 'sovh-recipe-'));
  await writeFile(join(dir, 'Dockerfile'), content);
  return { kind: 'dockerfile', name: 'demo', contextDir: dir, parent: baseImageRecipe };
}

describe('image recipes', () => {
  it('hash the same content to the same tag and changed content to another', async () => {
    const a = await recipeIn('FROM x\nRUN true\n');
    const b = await recipeIn('FROM x\nRUN true\n');
    const c = await recipeIn('FROM x\nRUN false\n');
    const mirror = 'http://mirror.example/debian';
    expect(await recipeHash(a, mirror)).toBe(await recipeHash(b, mirror));
    expect(await recipeHash(a, mirror)).not.toBe(await recipeHash(c, mirror));
    expect(imageTag(a, 'abc')).toBe('sovh/demo:abc');
  });

  it('change when the parent, the mirror or an extra file changes', async () => {
    const a = await recipeIn('FROM x\n');
    const mirror = 'http://mirror.example/debian';
    const base = await recipeHash(a, mirror);
    expect(await recipeHash(a, 'http://other.example/debian')).not.toBe(base);
    expect(await recipeHash({ ...a, extraFiles: { 'mutant.patch': 'x' } }, mirror)).not.toBe(base);
    expect(
      await recipeHash({ ...a, parent: { ...baseImageRecipe, revision: 99 } }, mirror),
    ).not.toBe(base);
  });

  it("leave out what the context's .dockerignore names", async () => {
    const a = await recipeIn('FROM x\n');
    const mirror = 'http://mirror.example/debian';
    await writeFile(join(a.contextDir, '.dockerignore'), 'node_modules\n*.log\n');
    const before = await recipeHash(a, mirror);
    await mkdir(join(a.contextDir, 'node_modules', 'dep'), { recursive: true });
    await writeFile(join(a.contextDir, 'node_modules', 'dep', 'index.js'), 'x');
    await writeFile(join(a.contextDir, 'build.log'), 'x');
    expect(await recipeHash(a, mirror)).toBe(before);
    expect((await contextFiles(a)).map((f) => f.path)).toEqual(['.dockerignore', 'Dockerfile']);
    await writeFile(join(a.contextDir, 'stack.conf'), 'x');
    expect(await recipeHash(a, mirror)).not.toBe(before);
  });
});
