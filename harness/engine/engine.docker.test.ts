import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testEngine } from '../testing/docker-test-kit.ts';
import { recordingLogger, silentLogger } from '../util/log.ts';
import { locateEngine } from './engine-locator.ts';
import { ensureEngine } from './engine-starter.ts';
import { ImageBuilder } from './image-builder.ts';
import { baseImageRecipe, type DockerfileImageRecipe } from './image-recipe.ts';

describe('engine', () => {
  it('finds the running engine and says what it is', async () => {
    const engine = await locateEngine({});
    expect(engine?.flavour).toBe('docker');
    expect(engine?.apiVersion).toMatch(/^1\.\d+$/);
  });

  it('names DOCKER_HOST and the fix when the chosen engine does not answer', async () => {
    await expect(
      locateEngine({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' }),
    ).rejects.toMatchObject({
      code: 'ENGINE_UNREACHABLE',
      message: expect.stringMatching(
        /DOCKER_HOST=unix:\/\/\/nonexistent\/docker.sock did not answer .* unset DOCKER_HOST/,
      ) as unknown,
    });
  });

  it('says how to get an engine when none answers and it may not start one', async () => {
    await expect(
      ensureEngine({
        log: silentLogger,
        autoStart: false,
        env: {},
        sockets: ['/nonexistent/docker.sock'],
      }),
    ).rejects.toMatchObject({
      code: 'ENGINE_NOT_FOUND',
      message: expect.stringMatching(/no container engine answered .*Start Docker/) as unknown,
    });
  });
});

describe('image builder', () => {
  async function recipe(name: string, dockerfile: string): Promise<DockerfileImageRecipe> {
    const dir = await mkdtemp(join(tmpdir(), 'sovh-image-test-'));
    await writeFile(join(dir, 'Dockerfile'), dockerfile);
    return { kind: 'dockerfile', name, contextDir: dir, parent: baseImageRecipe };
  }

  it('builds a recipe once and reuses the image while the recipe is unchanged', async () => {
    const engine = await testEngine();
    const stamp = `${Date.now()}`;
    const built = await new ImageBuilder(engine.docker, silentLogger).ensure(
      await recipe(
        'test-reuse',
        `ARG PARENT_IMAGE\nFROM \${PARENT_IMAGE}\nRUN echo ${stamp} > /stamp\n`,
      ),
    );
    const again = await new ImageBuilder(engine.docker, silentLogger).ensure(
      await recipe(
        'test-reuse',
        `ARG PARENT_IMAGE\nFROM \${PARENT_IMAGE}\nRUN echo ${stamp} > /stamp\n`,
      ),
    );
    expect(built.built).toBe(true);
    expect(again).toMatchObject({ built: false, tag: built.tag });
    await engine.docker.getImage(built.tag).remove();
  });

  it('fails a broken build naming the image and showing the end of its log', async () => {
    const engine = await testEngine();
    const log = recordingLogger();
    const broken = await recipe(
      'test-broken',
      'ARG PARENT_IMAGE\nFROM ${PARENT_IMAGE}\nRUN echo about to fail && exit 42\n',
    );
    await expect(new ImageBuilder(engine.docker, log).ensure(broken)).rejects.toMatchObject({
      code: 'IMAGE_BUILD_FAILED',
      message: expect.stringMatching(
        /building image test-broken .*failed: .*returned a non-zero code: 42[\s\S]*\| about to fail/,
      ) as unknown,
    });
    expect(log.lines.some((l) => /test-broken: Step 3\/\d+ : RUN echo about to fail/.test(l))).toBe(
      true,
    );
  });
});
