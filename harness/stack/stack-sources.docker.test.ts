import { createWriteStream } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEndpoint } from '../engine/engine-locator.ts';
import { ImageBuilder } from '../engine/image-builder.ts';
import { namespacedEngine, nothingLeft, resourcesIn } from '../testing/docker-test-kit.ts';
import { runCli } from '../testing/run-cli.ts';
import { silentLogger } from '../util/log.ts';
import { prepareEnvironment } from '../scenario/environment.ts';
import { runScenario } from '../scenario/scenario-runner.ts';
import { defineScenario } from '../scenario/scenario.ts';
import { resolveStack } from './stack-resolver.ts';
import { scenarios } from '../../scenarios/index.ts';

const repository = resolve(import.meta.dirname, '..', '..');
const nothing = nothingLeft;

/** A stack directory outside the repository, with these files. */
async function stackDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sovh-user-stack-'));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}

/** A tiny stack that keeps running: enough to resolve, load and preflight, not to pass scenarios. */
const sleeper = (label: boolean, marker: string) =>
  [
    'ARG PARENT_IMAGE',
    'FROM ${PARENT_IMAGE}',
    `RUN echo ${marker} > /etc/stack-marker`,
    ...(label ? ['LABEL dev.sovh.contract-sections="egress,dns"'] : []),
    'CMD ["sleep", "infinity"]',
    '',
  ].join('\n');

describe('stacks other than the reference', () => {
  const { engine: engineNow, namespace } = namespacedEngine();
  let engine: EngineEndpoint;
  const dirs: string[] = [];

  beforeAll(() => {
    engine = engineNow();
  });

  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    // Each stack directory here has a name of its own, so each build leaves an image named after
    // it (`sovh/stack-<directory>`) that no later run uses again: the engine keeps none of them.
    const built = await engine.docker.listImages({
      filters: { reference: ['sovh/stack-sovh-user-stack-*'] },
    });
    // By tag, never by id: a copy of the reference stack builds to the reference image's own id,
    // and removing a tag leaves the image to its other names.
    const tags = built.flatMap((image) => image.RepoTags ?? []);
    for (const tag of tags.filter((t) => t.startsWith('sovh/stack-sovh-user-stack-')))
      await engine.docker
        .getImage(tag)
        .remove()
        .catch(() => undefined);
  });

  it('a copy of the reference stack built from a directory outside the repository passes, its patch mutant is caught, and every report names its image id', async () => {
    const user = await mkdtemp(join(tmpdir(), 'sovh-user-repo-'));
    dirs.push(user);
    await cp(join(repository, 'images', 'host'), join(user, 'stack'), {
      recursive: true,
      filter: (source) => !source.endsWith('.test.ts') && !source.includes('__pycache__'),
    });
    await mkdir(join(user, 'mutants'));
    await cp(
      join(repository, 'scenarios', 'boot-binding', 'mutants', 'kek-plain-file.patch'),
      join(user, 'mutants', 'kek-in-the-clear.patch'),
    );
    await writeFile(
      join(user, 'sovh.config.json'),
      JSON.stringify({
        stack: './stack',
        sections: ['boot-binding', 'store'],
        scenarios: ['boot-binding', 'dns-leakage'],
        mutants: [
          {
            name: 'kek-in-the-clear',
            scenario: 'boot-binding',
            expectFailing: ['kek-sealed-to-pcrs'],
            patch: 'mutants/kek-in-the-clear.patch',
          },
        ],
      }),
    );
    const env = { SOVH_NAMESPACE: namespace('user-stack') };
    const reportDir = join(user, 'out');
    const result = await runCli(['run', '--with-mutants', '--report-dir', reportDir], env, user);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toMatch(/boot-binding \[mutant kek-in-the-clear\]\s+FAILED/);
    expect(result.stdout).toMatch(/dns-leakage\s+NOT-APPLICABLE .*stack does not implement dns/);
    const builtInMutants = scenarios
      .filter((s) => ['boot-binding', 'dns-leakage'].includes(s.name))
      .reduce((n, s) => n + s.mutants.length, 0);
    expect(result.all).toContain(
      `built-in scenarios' ${String(builtInMutants)} mutant(s) are patches against the reference stack`,
    );

    const results = JSON.parse(await readFile(join(reportDir, 'results.json'), 'utf8')) as {
      stack: { id: string; image: string; kind: string; sections: string[] };
      scenarios: { scenario: string; mutant?: { name: string } }[];
    };
    const inspected = await engine.docker.getImage(results.stack.image).inspect();
    expect(results.stack).toMatchObject({
      kind: 'dockerfile',
      sections: ['boot-binding', 'store'],
    });
    expect(results.stack.id).toBe(inspected.Id);
    // The built-in mutants of boot-binding did not run; the user's did.
    expect(results.scenarios.map((s) => s.mutant?.name ?? s.scenario)).toEqual([
      'boot-binding',
      'kek-in-the-clear',
      'dns-leakage',
    ]);
    expect(result.stdout).toContain(`image ${inspected.Id}`);
    expect(await readFile(join(reportDir, 'report.html'), 'utf8')).toContain(inspected.Id);
    const bundled = JSON.parse(
      await readFile(join(reportDir, 'evidence', 'run', 'stack.json'), 'utf8'),
    ) as { id: string };
    expect(bundled.id).toBe(inspected.Id);
    expect(await resourcesIn(engine, env.SOVH_NAMESPACE)).toEqual(nothing);
  });

  it('one image resolves alike from its Dockerfile, by name and from a `docker save` archive', async () => {
    const dir = await stackDir({ Dockerfile: sleeper(true, `same-${Date.now()}`) });
    dirs.push(dir);
    const images = new ImageBuilder(engine.docker, silentLogger);
    const options = { docker: engine.docker, images, log: silentLogger };
    const built = await resolveStack({ kind: 'dockerfile', dir }, options);
    expect(built.record.sections).toEqual(['egress', 'dns']);
    expect(built.record.sectionsDeclaredBy).toBe('image label dev.sovh.contract-sections');
    const repo = 'sovh-test/any-stack';
    const tag = String(Date.now());
    const name = `${repo}:${tag}`;
    await engine.docker.getImage(built.record.id).tag({ repo, tag });
    try {
      const byName = await resolveStack({ kind: 'image', reference: name }, options);
      expect(byName.record.id).toBe(built.record.id);
      const archive = join(dir, 'stack.tar');
      await pipeline(await engine.docker.getImage(name).get(), createWriteStream(archive));
      await engine.docker.getImage(name).remove({ noprune: true });
      const loaded = await resolveStack({ kind: 'archive', path: archive }, options);
      expect(loaded.record.id).toBe(built.record.id);
      expect(loaded.record.archiveSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(loaded.record.kind).toBe('archive');
    } finally {
      await engine.docker
        .getImage(name)
        .remove({ noprune: true })
        .catch(() => undefined);
    }
  });

  it('a Dockerfile that fails to build is named with the tail of its log, and leaves nothing', async () => {
    const dir = await stackDir({
      Dockerfile: 'ARG PARENT_IMAGE\nFROM ${PARENT_IMAGE}\nRUN echo about-to-fail-here && false\n',
    });
    dirs.push(dir);
    const env = { SOVH_NAMESPACE: namespace('build-fails') };
    const result = await runCli(['run', 'boot-binding', '--stack', dir], env);
    expect(result.exitCode, result.all).toBe(2);
    expect(result.stderr).toMatch(/the stack's building image stack-sovh-user-stack-\w+ .* failed/);
    expect(result.stderr).toMatch(/last lines of the build .*\n(.*\n)*.*about-to-fail-here/);
    expect(await resourcesIn(engine, env.SOVH_NAMESPACE)).toEqual(nothing);
  });

  it('an image that exits at once is named with its last log lines and the rule it breaks, and leaves nothing', async () => {
    const dir = await stackDir({
      Dockerfile: [
        'ARG PARENT_IMAGE',
        'FROM ${PARENT_IMAGE}',
        'LABEL dev.sovh.contract-sections="egress"',
        'CMD ["sh", "-c", "echo cannot-read-my-settings; exit 3"]',
        '',
      ].join('\n'),
    });
    dirs.push(dir);
    const env = { SOVH_NAMESPACE: namespace('exits') };
    const result = await runCli(['run', 'egress-default-deny', '--stack', dir], env);
    expect(result.exitCode, result.all).toBe(2);
    expect(result.stderr).toMatch(
      /exited with code 3 .*keeps running until the container is stopped/,
    );
    expect(result.stderr).toMatch(/\| cannot-read-my-settings/);
    expect(await resourcesIn(engine, env.SOVH_NAMESPACE)).toEqual(nothing);
  });

  it('a stack that declares no contract section is refused with the label to add', async () => {
    const dir = await stackDir({ Dockerfile: sleeper(false, 'unlabelled') });
    dirs.push(dir);
    const env = { SOVH_NAMESPACE: namespace('no-sections') };
    const result = await runCli(['run', 'boot-binding', '--stack', dir], env);
    expect(result.exitCode, result.all).toBe(2);
    expect(result.stderr).toMatch(
      /declares no contract sections.*LABEL dev\.sovh\.contract-sections="boot-binding,egress,dns"/,
    );
    expect(await resourcesIn(engine, env.SOVH_NAMESPACE)).toEqual(nothing);
  });

  it("a stack that dies during a run is named in the run's error, with its last lines", async () => {
    const dir = await stackDir({
      Dockerfile: [
        'ARG PARENT_IMAGE',
        'FROM ${PARENT_IMAGE}',
        'LABEL dev.sovh.contract-sections="store"',
        'CMD ["sh", "-c", "sleep 8; echo lost-my-mind; exit 4"]',
        '',
      ].join('\n'),
    });
    dirs.push(dir);
    const environment = await prepareEnvironment({
      log: silentLogger,
      stack: { kind: 'dockerfile', dir },
      env: { ...process.env, SOVH_NAMESPACE: namespace('dies') },
    });
    const scenario = defineScenario({
      name: 'outlives-its-stack',
      description: 'waits past the stack and then fails, as a probe of a dead store would',
      needs: [],
      sections: ['store'],
      topology: {
        zones: [{ name: 'z', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.40.0.0/16'] }],
        machines: [{ name: 'm', zone: 'z' }],
        hosts: [{ name: 'vm1', machine: 'm' }],
      },
      async run() {
        await sleep(12_000);
        throw new Error('the store did not answer');
      },
      checks: [{ name: 'c', description: 'c', verify: () => ({ status: 'pass', summary: '' }) }],
      mutants: [{ name: 'm', description: 'm', expectFailing: ['c'], topology: (t) => t }],
    });
    const result = await runScenario(scenario, environment);
    expect(result.reason).toMatch(
      /the store did not answer; host vm1's stack exited with code 4 while its VM was up; .*keeps running until the container is stopped; its last lines: .*lost-my-mind/,
    );
    expect(await resourcesIn(engine, environment.namespace)).toEqual(nothing);
  });
});
