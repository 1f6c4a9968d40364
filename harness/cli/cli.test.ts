import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../testing/run-cli.ts';
import bootBindingScenario from '../../scenarios/boot-binding/boot-binding.ts';

// Each test starts the real CLI (Node and tsx): seconds on a loaded machine, so a generous bound.
describe('sovh (no engine needed)', { timeout: 60_000 }, () => {
  it('lists scenarios with their needs, checks and mutants as JSON', async () => {
    const result = await runCli(['list', '--json']);
    expect(result.exitCode).toBe(0);
    const entries = JSON.parse(result.stdout) as {
      name: string;
      mutants: { name: string; expectFailing: string[]; stopAfterStep?: string }[];
      needs: string[];
    }[];
    const bootBinding = entries.find((e) => e.name === 'boot-binding');
    // Where a mutant's run stops is listed with it (schedule-cut.ts).
    expect(bootBinding?.mutants.find((m) => m.name === 'audit-records-name')?.stopAfterStep).toBe(
      'inspect the TPM binding from outside the stack',
    );
    expect(bootBinding?.mutants.find((m) => m.name === 'kek-plain-file')).not.toHaveProperty(
      'stopAfterStep',
    );
    expect(bootBinding?.mutants.map((m) => m.name)).toEqual(
      bootBindingScenario.mutants.map((m) => m.name),
    );
    expect(bootBinding?.mutants.map((m) => m.name)).toContain('kek-plain-file');
    expect(bootBinding?.needs).toEqual([]);
  });

  it('exits 2 for an option or command it does not know, like any bad input, and 0 for help', async () => {
    const [option, command, help] = await Promise.all([
      runCli(['run', '--no-such-option']),
      runCli(['no-such-command']),
      runCli(['run', '--help']),
    ]);
    expect(option.exitCode).toBe(2);
    expect(option.stderr).toMatch(/unknown option '--no-such-option'/);
    expect(command.exitCode).toBe(2);
    expect(command.stderr).toMatch(/unknown command 'no-such-command'/);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/Usage: sovh run/);
  });

  it('exits 2 naming the known scenarios for an unknown one, before touching the engine', async () => {
    const result = await runCli(['run', 'no-such-scenario']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /unknown scenario "no-such-scenario"; known scenarios: .*boot-binding/,
    );
  });

  it('exits 2 for a malformed trace given to sovh inject, naming its line, before asking the world', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sovh-trace-'));
    await writeFile(
      join(dir, 'room.csv'),
      'timestamp,sensor,value\n0,Inlet Temp,21\n5,Inlet Temp,2x\n',
    );
    const result = await runCli(
      ['inject', 'no-such-world', 'bmc-trace', '--file', 'room.csv'],
      {},
      dir,
    );
    expect(result.exitCode, result.all).toBe(2);
    expect(result.stderr).toContain(
      `${join(dir, 'room.csv')} line 3: value "2x" is not a number; give degrees Celsius`,
    );
    // A good trace passes, and the world is asked for next.
    await writeFile(join(dir, 'ok.seq'), 'ups.status: OL\nTIMER 1\nups.status: OB\n');
    const good = await runCli([
      'inject',
      'no-such-world',
      'ups-trace',
      '--file',
      join(dir, 'ok.seq'),
    ]);
    expect(good.exitCode).toBe(2);
    expect(good.stderr).toMatch(/no world named "no-such-world" is up/);
    const faults = await runCli(['faults']);
    expect(faults.stdout).toMatch(/^ups-trace: /m);
    expect(faults.stdout).toMatch(
      /^ {2}--file <file> {2}the readings: CSV of timestamp,sensor,value/m,
    );
  });

  it('exits 2 for an incident file with problems, naming each with its line, before touching the engine', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sovh-incident-'));
    const file = join(dir, 'outage.yaml');
    await writeFile(
      file,
      'scenario: power-failure-key-wipe\nschedule:\n  - at: 1s\n    fault: mains-failur\nchecks: [keys-gone]\n',
    );
    const result = await runCli(['run', file]);
    expect(result.exitCode, result.all).toBe(2);
    expect(result.stderr).toContain(`${file} is not a valid incident:`);
    expect(result.stderr).toMatch(
      /line 4, schedule\[0\]\.fault: unknown fault "mains-failur"; known faults: hsm-cut, hsm-hang, mains-failure/,
    );
    expect(result.stderr).toMatch(
      /line 5, checks\[0\]: unknown check "keys-gone"; checks an incident can name: keys-gone-from-memory/,
    );
    const missing = await runCli(['run', join(dir, 'none.yml')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/incident file .*none\.yml cannot be read/);
  });

  it('exits 2 for a bad --seed of run and of up alike, naming the range, before touching the engine', async () => {
    const [run, up, negative, good, help] = await Promise.all([
      runCli(['run', 'boot-binding', '--seed', 'abc']),
      runCli(['up', 'boot-binding', '--seed', '4294967296']),
      runCli(['up', 'boot-binding', '--seed=-1']),
      runCli(['up', 'no-such-scenario', '--seed', '4294967295']),
      runCli(['up', '--help']),
    ]);
    for (const [result, value] of [
      [run, 'abc'],
      [up, '4294967296'],
      [negative, '-1'],
    ] as const) {
      expect(result.exitCode, result.all).toBe(2);
      expect(result.stderr).toContain(
        `option '--seed <n>' argument '${value}' is invalid. give a whole number from 0 to 4294967295`,
      );
    }
    // The largest seed is taken: the command goes on to the next problem, the scenario.
    expect(good.exitCode).toBe(2);
    expect(good.stderr).toMatch(/unknown scenario "no-such-scenario"/);
    expect(help.stdout).toMatch(/--seed <n> +the seed of what the world draws/);
  });

  it('exits 2 for exec without a command, saying how to give one', async () => {
    const result = await runCli(['exec', 'vm1']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/give the command after --/);
  });

  it('exits 2 for a --stack path that does not exist, before touching the engine', async () => {
    const result = await runCli(['run', 'boot-binding', '--stack', './no-such-stack']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /stack \.\/no-such-stack: no such file or directory .*give a directory with a Dockerfile/,
    );
  });

  it('exits 2 naming the config file, the field and the fix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sovh-cli-config-'));
    await writeFile(
      join(dir, 'sovh.config.json'),
      JSON.stringify({
        mutants: [
          { name: 'm', scenario: 'boot-binding', expectFailing: ['no-such-check'], stack: 'x:1' },
        ],
      }),
    );
    const result = await runCli(['run'], {}, dir);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      `${join(dir, 'sovh.config.json')}: mutants[0] (m): scenario boot-binding has no check "no-such-check"`,
    );
    await writeFile(join(dir, 'sovh.config.json'), JSON.stringify({ strict: 'yes' }));
    const typed = await runCli(['list'], {}, dir);
    expect(typed.exitCode).toBe(2);
    expect(typed.stderr).toMatch(
      /sovh.config.json is not a valid sovh config:\n {2}strict: .*give a boolean/,
    );
  });
});
