import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  installPackedHarness,
  type PackedInstall,
  userStoreScenario as userScenario,
} from '../testing/packed-package.ts';
import bootBindingScenario from '../../scenarios/boot-binding/boot-binding.ts';

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
 * The package as a stack's repository gets it (harness/testing/packed-package.ts). Its `sovh`
 * command runs there, loads a config and a scenario written there, and its types check them.
 */
describe('the packed sovh package, installed into an empty directory', () => {
  let installed: PackedInstall;
  let user: string;
  const npx = (args: string[]) => installed.npx(args);

  beforeAll(async () => {
    installed = await installPackedHarness();
    user = installed.user;
  });

  afterAll(async () => {
    await installed.remove();
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
      ...bootBindingScenario.mutants.map((m) => m.name),
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
