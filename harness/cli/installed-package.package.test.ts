import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repository = resolve(import.meta.dirname, '..', '..');

const userScenario = `import { defineScenario, fail, lastObservation, observationKey, pass } from 'sovh';
import { probeStore } from 'sovh/probes';

const storeSeen = observationKey<{ connected: boolean }>('store-seen');

export default defineScenario({
  name: 'store-answers',
  description: 'The store port of the host answers from its zone',
  needs: [],
  sections: ['store'],
  topology: {
    zones: [{ name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.40.0.0/16'] }],
    machines: [{ name: 'home', zone: 'sovereign' }],
    hosts: [{ name: 'vm1', machine: 'home' }],
  },
  async run(context) {
    const probe = await probeStore(context.world, context.world.host('vm1'));
    context.observe(storeSeen, { connected: probe.connected });
  },
  checks: [
    {
      name: 'store-open',
      description: 'the store port accepts a connection',
      verify: (history) =>
        lastObservation(history, storeSeen).data.connected ? pass('open') : fail('closed'),
    },
  ],
  mutants: [
    {
      name: 'no-store',
      description: 'the store never starts',
      expectFailing: ['store-open'],
      stackPatch: new URL('./no-store.patch', import.meta.url).pathname,
    },
  ],
});
`;

const config = `import { defineConfig } from 'sovh';

export default defineConfig({
  stack: 'reference',
  scenarios: ['boot-binding', 'scenarios/*.scenario.ts'],
  mutants: [
    { name: 'kek-in-the-clear', scenario: 'boot-binding', expectFailing: ['kek-sealed-to-pcrs'], patch: 'kek.patch' },
  ],
});
`;

const tsconfig = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    types: ['node'],
  },
  include: ['*.ts', 'scenarios'],
};

interface Listed {
  name: string;
  origin: string;
  mutants: { name: string }[];
}

/**
 * The package as a stack's repository gets it: `npm pack` of this repository, installed into an
 * empty directory outside it (dependencies from npm's cache, as `npm ci` left them). Its `sovh`
 * command runs there, loads a config and a scenario written there, and its types check them.
 */
describe('the packed sovh package, installed into an empty directory', () => {
  let packDir: string;
  let user: string;
  const npx = (args: string[]) => execa('npx', args, { cwd: user, reject: false, all: true });

  beforeAll(async () => {
    packDir = await mkdtemp(join(tmpdir(), 'sovh-pack-'));
    user = await mkdtemp(join(tmpdir(), 'sovh-user-'));
    const packed = await execa('npm', ['pack', '--json', '--pack-destination', packDir], {
      cwd: repository,
    });
    const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
    await writeFile(
      join(user, 'package.json'),
      JSON.stringify({ name: 'my-stack', private: true, type: 'module' }),
    );
    await execa(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--save-dev',
        join(packDir, filename),
        'typescript@5.9.3',
        '@types/node@20.19.43',
      ],
      { cwd: user },
    );
  });

  afterAll(async () => {
    await rm(packDir, { recursive: true, force: true });
    await rm(user, { recursive: true, force: true });
  });

  it('runs `npx sovh list` with the built-in scenarios', async () => {
    const result = await npx(['sovh', 'list', '--json']);
    expect(result.exitCode, result.all).toBe(0);
    const names = (JSON.parse(result.stdout) as Listed[]).map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(['boot-binding', 'egress-default-deny']));
  });

  it("loads the user's config and scenario, typed against the package", async () => {
    await mkdir(join(user, 'scenarios'), { recursive: true });
    await writeFile(join(user, 'scenarios', 'store.scenario.ts'), userScenario);
    await writeFile(join(user, 'scenarios', 'no-store.patch'), '');
    await writeFile(join(user, 'kek.patch'), '--- a/etc/x\n+++ b/etc/x\n');
    await writeFile(join(user, 'sovh.config.ts'), config);
    await writeFile(join(user, 'tsconfig.json'), JSON.stringify(tsconfig));

    const result = await npx(['sovh', 'list', '--json']);
    expect(result.exitCode, result.all).toBe(0);
    const listed = JSON.parse(result.stdout) as Listed[];
    expect(listed.find((e) => e.name === 'store-answers')?.origin).toBe(
      join(user, 'scenarios', 'store.scenario.ts'),
    );
    expect(listed.find((e) => e.name === 'boot-binding')?.mutants.map((m) => m.name)).toEqual([
      'kek-plain-file',
      'kek-no-pcr-policy',
      'qualified-name-not-compared',
      'kek-in-the-clear',
    ]);

    const typecheck = await npx(['tsc', '-p', '.']);
    expect(typecheck.exitCode, typecheck.all).toBe(0);
  });

  it("rejects a user's type error both in the editor's types and at load", async () => {
    await writeFile(
      join(user, 'sovh.config.ts'),
      config.replace("stack: 'reference',", "stack: 'reference',\n  strict: 'yes',"),
    );
    const typecheck = await npx(['tsc', '-p', '.']);
    expect(typecheck.exitCode).not.toBe(0);
    expect(typecheck.all).toMatch(
      /sovh\.config\.ts.*Type 'string' is not assignable to type 'boolean/,
    );
    const result = await npx(['sovh', 'list']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`${join(user, 'sovh.config.ts')} is not a valid sovh config`);
    expect(result.stderr).toMatch(/strict: .*expected boolean.*give a boolean/);
  });
});
