import { describe, expect, it } from 'vitest';
import { runCli } from '../testing/run-cli.ts';

// Each test starts the real CLI (Node and tsx): seconds on a loaded machine, so a generous bound.
describe('sovh (no engine needed)', { timeout: 60_000 }, () => {
  it('lists scenarios with their needs, checks and mutants as JSON', async () => {
    const result = await runCli(['list', '--json']);
    expect(result.exitCode).toBe(0);
    const entries = JSON.parse(result.stdout) as {
      name: string;
      mutants: { name: string; expectFailing: string[] }[];
      needs: string[];
    }[];
    const bootBinding = entries.find((e) => e.name === 'boot-binding');
    expect(bootBinding?.mutants.map((m) => m.name)).toEqual([
      'kek-plain-file',
      'kek-no-pcr-policy',
    ]);
    expect(bootBinding?.needs).toEqual([]);
  });

  it('exits 2 naming the known scenarios for an unknown one, before touching the engine', async () => {
    const result = await runCli(['run', 'no-such-scenario']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /unknown scenario "no-such-scenario"; known scenarios: .*boot-binding/,
    );
  });

  it('exits 2 for exec without a command, saying how to give one', async () => {
    const result = await runCli(['exec', 'vm1']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/give the command after --/);
  });
});
