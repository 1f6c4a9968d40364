import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildProgram } from './main.ts';
import { starterWorkflow } from './init/starter-files.ts';

const recipesDir = join(import.meta.dirname, '..', '..', 'examples', 'ci');
const recipes = readdirSync(recipesDir)
  .filter((f) => f.endsWith('.yml'))
  .map((file) => ({ file, text: readFileSync(join(recipesDir, file), 'utf8') }));

/** Every `npx sovh COMMAND ...` invocation in a text, as the words after `sovh`. */
function sovhInvocations(text: string): string[][] {
  return [...text.matchAll(/npx sovh ([^\n'"]+)/g)].map((m) => (m[1] ?? '').trim().split(/\s+/));
}

/** The options an invocation uses that its command does not have. */
function unknownOptions(program: Command, words: string[]): string[] {
  const [name, ...rest] = words;
  const command = program.commands.find((c) => c.name() === name);
  if (command === undefined) return [`unknown command ${String(name)}`];
  const known = new Set(command.options.flatMap((o: Option) => [o.long, o.short]).filter(Boolean));
  return rest.filter((w) => w.startsWith('-') && !known.has(w.split('=')[0]));
}

describe('the CI recipes in examples/ci', () => {
  const program = buildProgram(() => undefined);

  it('exist for GitHub Actions and GitLab CI and are valid YAML', () => {
    expect(recipes.map((r) => r.file).sort()).toEqual(['github-actions.yml', 'gitlab-ci.yml']);
    for (const recipe of recipes)
      expect(() => {
        parse(recipe.text);
      }, recipe.file).not.toThrow();
  });

  it.each([...recipes, { file: 'the workflow `sovh init` writes', text: starterWorkflow }])(
    'call sovh only with commands and options it has: $file',
    ({ text }) => {
      const invocations = sovhInvocations(text);
      expect(invocations.length).toBeGreaterThan(0);
      expect(invocations.flatMap((words) => unknownOptions(program, words))).toEqual([]);
    },
  );

  it('spread the runs over shards and merge them into one report with SARIF', () => {
    for (const recipe of recipes) {
      expect(recipe.text, recipe.file).toMatch(/npx sovh run [^\n]*--shard/);
      expect(recipe.text, recipe.file).toMatch(/npx sovh merge [^\n]*--sarif/);
    }
  });
});
