import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { namespacedEngine, nothingLeft, resourcesIn } from '../testing/docker-test-kit.ts';
import { runCli } from '../testing/run-cli.ts';

const example = resolve(import.meta.dirname, '..', '..', 'examples', 'stacks', 'minimal');
const scenarios = ['boot-binding', 'egress-default-deny', 'dns-leakage', 'config-immutability'];

/**
 * The second stack (examples/stacks/minimal: shell, nftables, tpm2-tools and a Node store,
 * written from the contract alone) run from its own directory with its own config, as a stack
 * repository's CI would: the scenarios of the sections it declares pass, and the broken variant
 * its config declares is caught.
 */
describe('the minimal example stack', () => {
  const { engine, namespace } = namespacedEngine();
  const dirs: string[] = [];

  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('passes the scenarios of its sections, and its declared mutant is caught', async () => {
    const reportDir = await mkdtemp(join(tmpdir(), 'sovh-minimal-stack-'));
    dirs.push(reportDir);
    const env = { SOVH_NAMESPACE: namespace('minimal-stack') };
    const result = await runCli(['run', '--with-mutants', '--report-dir', reportDir], env, example);
    expect(result.exitCode, result.all).toBe(0);
    for (const scenario of scenarios)
      expect(result.stdout).toMatch(new RegExp(`^${scenario}\\s+PASSED`, 'm'));
    expect(result.stdout).toMatch(
      /egress-default-deny \[mutant https-to-anywhere\]\s+FAILED .*mutant caught/,
    );
    const results = JSON.parse(await readFile(join(reportDir, 'results.json'), 'utf8')) as {
      stack: { kind: string; sections: string[]; sectionsDeclaredBy: string };
      scenarios: { scenario: string; status: string; mutant?: { name: string } }[];
    };
    expect(results.stack).toMatchObject({
      kind: 'dockerfile',
      sections: ['boot-binding', 'store', 'egress', 'dns', 'immutability'],
    });
    expect(results.stack.sectionsDeclaredBy).toMatch(/image label/);
    expect(results.scenarios.map((s) => s.mutant?.name ?? s.scenario)).toEqual([
      'boot-binding',
      'egress-default-deny',
      'https-to-anywhere',
      'dns-leakage',
      'config-immutability',
    ]);
    expect(await resourcesIn(engine(), env.SOVH_NAMESPACE)).toEqual(nothingLeft);
  });
});
