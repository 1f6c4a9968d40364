import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../config/config-file.ts';
import { initCommand, initFiles } from './init-command.ts';

// Inside this repository, so that the starter config's `import ... from 'sovh'` resolves (the
// package refers to itself by name, as it resolves in a stack's node_modules).
const scratch = resolve(import.meta.dirname, '..', '..', '..', '.scratch');

describe('sovh init', () => {
  it('writes a starter config that loads and a workflow, and overwrites nothing', async () => {
    await mkdir(scratch, { recursive: true });
    const dir = await mkdtemp(join(scratch, 'init-'));
    await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\n');
    expect(await initCommand({}, dir)).toBe(0);
    const loaded = await loadConfigFile(join(dir, initFiles.config));
    expect(loaded.config.stack).toBe('.');
    expect(loaded.config.sections).toContain('egress');
    const workflow = await readFile(join(dir, initFiles.workflow), 'utf8');
    expect(workflow).toMatch(/npx sovh run --with-mutants/);
    expect(workflow).toMatch(/upload-artifact/);

    await writeFile(join(dir, initFiles.config), '// mine\n');
    await expect(initCommand({}, dir)).rejects.toThrow(
      /sovh.config.ts and .github\/workflows\/sovh.yml already exist in .*nothing was written.*--force/,
    );
    expect(await readFile(join(dir, initFiles.config), 'utf8')).toBe('// mine\n');
    expect(await initCommand({ force: true }, dir)).toBe(0);
    await rm(dir, { recursive: true, force: true });
  });
});
