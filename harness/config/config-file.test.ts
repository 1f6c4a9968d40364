import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findConfigFile, loadConfigFile } from './config-file.ts';

async function dirWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sovh-config-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

describe('config files', () => {
  it('are found in the working directory or the nearest one above it', async () => {
    const dir = await dirWith({ 'sovh.config.json': '{}', 'a/b/.keep': '' });
    expect(findConfigFile(join(dir, 'a', 'b'))).toBe(join(dir, 'sovh.config.json'));
    const other = await dirWith({
      'a/sovh.config.yaml': 'strict: true\n',
      'sovh.config.json': '{}',
    });
    expect(findConfigFile(join(other, 'a'))).toBe(join(other, 'a', 'sovh.config.yaml'));
  });

  it('are refused when one directory holds two', async () => {
    const dir = await dirWith({ 'sovh.config.json': '{}', 'sovh.config.yaml': '' });
    expect(() => findConfigFile(dir)).toThrow(/holds 2 config files .*keep one/);
  });

  it('load from JSON, YAML and TypeScript', async () => {
    const dir = await dirWith({
      'j/sovh.config.json': '{ "stack": "acme/stack:1", "strict": true }',
      'y/sovh.config.yaml': 'stack:\n  dockerfile: ./stack\nsections: [egress, dns]\n',
      't/sovh.config.ts':
        "const reportDir: string = 'out';\nexport default { stack: 'reference', reportDir };\n",
    });
    expect((await loadConfigFile(join(dir, 'j/sovh.config.json'))).config).toEqual({
      stack: 'acme/stack:1',
      strict: true,
    });
    expect((await loadConfigFile(join(dir, 'y/sovh.config.yaml'))).config).toEqual({
      stack: { dockerfile: './stack' },
      sections: ['egress', 'dns'],
    });
    const ts = await loadConfigFile(join(dir, 't/sovh.config.ts'));
    expect(ts.config).toEqual({ stack: 'reference', reportDir: 'out' });
    expect(ts.dir).toBe(join(dir, 't'));
  });

  it('with a type or schema error name the file, the field and the fix', async () => {
    const dir = await dirWith({
      'sovh.config.json': JSON.stringify({
        strict: 'yes',
        sections: ['egress', 'teleport'],
        colour: 'blue',
        mutants: [{ name: 'Open Fence', scenario: 'egress-default-deny', expectFailing: [] }],
      }),
    });
    const file = join(dir, 'sovh.config.json');
    const error = (await loadConfigFile(file).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain(`${file} is not a valid sovh config`);
    expect(error.message).toMatch(/strict: .*expected boolean.*; give a boolean/);
    expect(error.message).toMatch(/sections\[1\]: .*"boot-binding"/);
    expect(error.message).toMatch(
      /unknown field\(s\) "colour": remove them \(known fields: stack,/,
    );
    expect(error.message).toMatch(/mutants\[0\]\.name: a mutant name is kebab-case words/);
    expect(error.message).toMatch(/mutants\[0\]\.expectFailing: /);
    expect(error.message).toMatch(/mutants\[0\]\.patch: give exactly one of `patch`/);
  });

  it('that do not parse or load are named with the cause', async () => {
    const dir = await dirWith({
      'a/sovh.config.json': '{ "strict": true, }',
      'b/sovh.config.yaml': 'stack: [unclosed\n',
      'c/sovh.config.ts': "import { nothing } from './missing.ts';\nexport default nothing;\n",
      'd/sovh.config.ts': 'export const config = {};\n',
    });
    await expect(loadConfigFile(join(dir, 'a/sovh.config.json'))).rejects.toThrow(
      /sovh.config.json is not valid JSON/,
    );
    await expect(loadConfigFile(join(dir, 'b/sovh.config.yaml'))).rejects.toThrow(
      /sovh.config.yaml is not valid YAML/,
    );
    await expect(loadConfigFile(join(dir, 'c/sovh.config.ts'))).rejects.toThrow(
      /c\/sovh.config.ts did not load: .*missing.*npx tsc --noEmit/,
    );
    await expect(loadConfigFile(join(dir, 'd/sovh.config.ts'))).rejects.toThrow(
      /has no default export; write `export default defineConfig/,
    );
  });
});
