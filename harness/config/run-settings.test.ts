import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSettings } from './run-settings.ts';
import bootBindingScenario from '../../scenarios/boot-binding/boot-binding.ts';

const scenarioModule = resolve(import.meta.dirname, '..', 'scenario', 'scenario.ts');

/** A user scenario file, importing the harness by path as a package import would resolve. */
function userScenario(name: string): string {
  return `import { defineScenario } from ${JSON.stringify(scenarioModule)};
export default defineScenario({
  name: ${JSON.stringify(name)},
  description: 'a user scenario',
  needs: [],
  topology: { zones: [{ name: 'z', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.40.0.0/16'] }] },
  async run() {},
  checks: [{ name: 'holds', description: 'it holds', verify: () => ({ status: 'pass', summary: 'yes' }) }],
  mutants: [{ name: 'broken', description: 'broken', expectFailing: ['holds'], stackPatch: '/dev/null' }],
});
`;
}

async function project(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sovh-settings-'));
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }');
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

const config = (value: unknown) => JSON.stringify(value);

describe('run settings', () => {
  it('without a config file: the reference stack and every built-in scenario', async () => {
    const dir = await project({});
    const settings = await runSettings({}, dir);
    expect(settings.stack).toEqual({ kind: 'reference' });
    expect(settings.catalog.defaults).toContain('boot-binding');
    expect(settings.reportsRoot).toBe(join(dir, 'reports'));
    expect(settings.strict).toBe(false);
  });

  it("take the config's stack, scenarios, sections and mutants, paths from its directory", async () => {
    const dir = await project({
      'sovh.config.json': config({
        stack: './stack',
        sections: ['boot-binding', 'store'],
        scenarios: ['boot-binding', 'scenarios/*.scenario.ts'],
        strict: true,
        reportDir: 'out',
        mutants: [
          {
            name: 'kek-in-the-clear',
            scenario: 'boot-binding',
            expectFailing: ['kek-sealed-to-pcrs'],
            patch: 'mutants/kek.patch',
          },
        ],
      }),
      'stack/Dockerfile': 'FROM scratch\n',
      'mutants/kek.patch': '--- a/x\n+++ b/x\n',
      'scenarios/mine.scenario.ts': userScenario('mine'),
      'sub/.keep': '',
    });
    const settings = await runSettings({}, join(dir, 'sub'));
    expect(settings.stack).toEqual({ kind: 'dockerfile', dir: join(dir, 'stack') });
    expect(settings.declaredSections?.sections).toEqual(['boot-binding', 'store']);
    expect(settings.catalog.defaults).toEqual(['boot-binding', 'mine']);
    expect(settings.strict).toBe(true);
    expect(settings.reportsRoot).toBe(join(dir, 'out'));
    const bootBinding = settings.catalog.scenarios.find((s) => s.name === 'boot-binding');
    // Against another stack the built-in mutants (patches of images/host) are withheld.
    expect(bootBinding?.mutants.map((m) => m.name)).toEqual(['kek-in-the-clear']);
    expect(bootBinding?.mutants[0]?.stackPatch).toBe(join(dir, 'mutants', 'kek.patch'));
    expect(settings.catalog.withheldMutants.get('boot-binding')?.length).toBe(
      bootBindingScenario.mutants.length,
    );
    expect(settings.catalog.origins.get('mine')).toEqual({
      file: join(dir, 'scenarios', 'mine.scenario.ts'),
    });
  });

  it('let the command line override the config', async () => {
    const dir = await project({
      'sovh.config.json': config({ stack: 'acme/stack:1', strict: true }),
    });
    const settings = await runSettings({ stack: 'reference', strict: false }, dir);
    expect(settings.stack).toEqual({ kind: 'reference' });
    expect(settings.strict).toBe(false);
    expect(settings.catalog.withheldMutants.size).toBe(0);
  });

  it('refuse a user mutant whose expected check or scenario does not exist', async () => {
    const mutant = {
      name: 'm',
      scenario: 'boot-binding',
      expectFailing: ['no-such-check'],
      stack: 'x:1',
    };
    const dir = await project({ 'sovh.config.json': config({ mutants: [mutant] }) });
    await expect(runSettings({}, dir)).rejects.toThrow(
      /mutants\[0\] \(m\): scenario boot-binding has no check "no-such-check"; its checks: serves-on-home-machine, /,
    );
    const other = await project({
      'sovh.config.json': config({ mutants: [{ ...mutant, scenario: 'nope' }] }),
    });
    await expect(runSettings({}, other)).rejects.toThrow(/no scenario "nope"; known scenarios: /);
    const missingPatch = await project({
      'sovh.config.json': config({
        mutants: [
          {
            name: 'm',
            scenario: 'boot-binding',
            expectFailing: ['kek-sealed-to-pcrs'],
            patch: 'gone.patch',
          },
        ],
      }),
    });
    await expect(runSettings({}, missingPatch)).rejects.toThrow(
      /patch file .*gone.patch does not exist/,
    );
  });

  it('refuse a user scenario that does not load, does not export one, or is not there', async () => {
    const broken = await project({
      'sovh.config.json': config({ scenarios: ['scenarios/*.ts'] }),
      'scenarios/broken.ts': "import { nothing } from './missing.ts';\nexport default nothing;\n",
    });
    await expect(runSettings({}, broken)).rejects.toThrow(
      /scenario file .*broken.ts did not load: .*missing.ts.*npx tsc --noEmit/,
    );
    const notOne = await project({
      'sovh.config.json': config({ scenarios: ['scenarios/*.ts'] }),
      'scenarios/odd.ts': 'export default { name: 1 };\n',
    });
    await expect(runSettings({}, notOne)).rejects.toThrow(
      /does not export a scenario by default; write `export default defineScenario/,
    );
    const none = await project({ 'sovh.config.json': config({ scenarios: ['scenarios/*.ts'] }) });
    await expect(runSettings({}, none)).rejects.toThrow(/"scenarios\/\*.ts" matches no file/);
    const taken = await project({
      'sovh.config.json': config({ scenarios: ['mine.ts'] }),
      'mine.ts': userScenario('boot-binding'),
    });
    await expect(runSettings({}, taken)).rejects.toThrow(
      /"boot-binding", which is a built-in scenario/,
    );
  });

  it('refuse a --stack path that does not exist', async () => {
    const dir = await project({});
    await expect(runSettings({ stack: './no-such-stack' }, dir)).rejects.toThrow(
      /stack \.\/no-such-stack: no such file or directory/,
    );
  });
});
