import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namespacedEngine, nothingLeft, resourcesIn } from '../testing/docker-test-kit.ts';
import {
  installPackedHarness,
  type PackedInstall,
  userStoreScenario,
} from '../testing/packed-package.ts';

const example = resolve(import.meta.dirname, '..', '..', 'examples', 'stacks', 'minimal');
const scenarios = ['boot-binding', 'egress-default-deny', 'dns-leakage', 'config-immutability'];

/**
 * The example's own config, as a stack repository keeps it with its stack in `stack/` beside it
 * and one scenario of its own: each change is asserted, so a config that drifts fails here.
 */
function repositoryConfig(exampleConfig: string): string {
  const edits: [string, string][] = [
    ["stack: '.'", "stack: './stack'"],
    ["patch: 'mutants/", "patch: 'stack/mutants/"],
    ["'config-immutability']", "'config-immutability', 'scenarios/*.scenario.ts']"],
  ];
  return edits.reduce((text, [from, to]) => {
    expect(text, `the example's sovh.config.ts no longer holds ${from}`).toContain(from);
    return text.replace(from, to);
  }, exampleConfig);
}

const initPath = 'usr/local/sbin/minimal-init';

/**
 * The user's own mutant of their stack, made as a stack's developer makes one: `diff -u` of the
 * init script with the store's start replaced by `true`, so the store never serves.
 */
async function noStorePatch(work: string): Promise<string> {
  const init = await readFile(join(example, 'rootfs', initPath), 'utf8');
  const broken = init.replace(
    '| node /usr/local/lib/minimal/store.mjs',
    '| true /usr/local/lib/minimal/store.mjs',
  );
  expect(broken, "the example's init no longer starts its store with node").not.toBe(init);
  for (const [side, text] of [
    ['a', init],
    ['b', broken],
  ] as const) {
    await mkdir(join(work, side, 'usr/local/sbin'), { recursive: true });
    await writeFile(join(work, side, initPath), text);
  }
  const diff = await execa('diff', ['-u', `a/${initPath}`, `b/${initPath}`], {
    cwd: work,
    reject: false,
  });
  expect(diff.exitCode, diff.stderr).toBe(1);
  return diff.stdout + '\n';
}

/**
 * The second stack (examples/stacks/minimal: shell, nftables, tpm2-tools and a Node store,
 * written from the contract alone) gated as a stack repository would gate it: in an empty
 * directory outside this repository, with the harness installed from `npm pack`, its config runs
 * the built-in scenarios of the sections it declares and one scenario written there; they pass,
 * the broken variant the config declares is caught, and the report names the stack's image id.
 */
describe('the minimal example stack, gated from its own repository', () => {
  const { engine, namespace } = namespacedEngine();
  let installed: PackedInstall;

  beforeAll(async () => {
    installed = await installPackedHarness();
  });

  afterAll(async () => {
    await installed.remove();
  });

  it('passes the scenarios of its sections and its own, its declared mutant is caught, and the report names its image', async () => {
    const { user } = installed;
    await cp(example, join(user, 'stack'), { recursive: true });
    await mkdir(join(user, 'scenarios'));
    await writeFile(join(user, 'scenarios', 'store.scenario.ts'), userStoreScenario);
    await writeFile(
      join(user, 'scenarios', 'no-store.patch'),
      await noStorePatch(join(user, 'patch-work')),
    );
    const exampleConfig = await readFile(join(example, 'sovh.config.ts'), 'utf8');
    await writeFile(join(user, 'sovh.config.ts'), repositoryConfig(exampleConfig));
    const reportDir = join(user, 'reports');
    const env = { SOVH_NAMESPACE: namespace('minimal-stack') };

    const result = await installed.npx(
      ['sovh', 'run', '--with-mutants', '--report-dir', reportDir],
      env,
    );

    expect(result.exitCode, result.all).toBe(0);
    for (const scenario of [...scenarios, 'store-answers'])
      expect(result.stdout).toMatch(new RegExp(`^${scenario}\\s+PASSED`, 'm'));
    expect(result.stdout).toMatch(
      /egress-default-deny \[mutant https-to-anywhere\]\s+FAILED .*mutant caught/,
    );
    expect(result.stdout).toMatch(/store-answers \[mutant no-store\]\s+FAILED .*mutant caught/);
    const results = JSON.parse(await readFile(join(reportDir, 'results.json'), 'utf8')) as {
      stack: {
        kind: string;
        image: string;
        id: string;
        sections: string[];
        sectionsDeclaredBy: string;
      };
      scenarios: { scenario: string; status: string; mutant?: { name: string } }[];
    };
    expect(results.stack).toMatchObject({
      kind: 'dockerfile',
      sections: ['boot-binding', 'store', 'egress', 'dns', 'immutability'],
    });
    expect(results.stack.sectionsDeclaredBy).toMatch(/image label/);
    const inspected = await engine().docker.getImage(results.stack.image).inspect();
    expect(results.stack.id).toBe(inspected.Id);
    expect(result.stdout).toContain(inspected.Id);
    expect(results.scenarios.map((s) => s.mutant?.name ?? s.scenario)).toEqual([
      'boot-binding',
      'egress-default-deny',
      'https-to-anywhere',
      'dns-leakage',
      'config-immutability',
      'store-answers',
      'no-store',
    ]);
    expect(await resourcesIn(engine(), env.SOVH_NAMESPACE)).toEqual(nothingLeft);
  });
});
