import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { SovhError } from '../../util/sovh-error.ts';
import { starterConfig, starterWorkflow } from '../init/starter-files.ts';

/** Where `sovh init` writes, relative to the directory it runs in. */
export const initFiles = {
  config: 'sovh.config.ts',
  workflow: join('.github', 'workflows', 'sovh.yml'),
} as const;

/**
 * `sovh init`: writes a starter sovh.config.ts and a GitHub Actions workflow into `dir`. Nothing
 * is overwritten unless `force`: existing files are named, and nothing is written at all.
 */
export async function initCommand(
  options: { force?: boolean },
  dir: string = process.cwd(),
): Promise<number> {
  const files = [
    {
      path: join(dir, initFiles.config),
      content: starterConfig({ hasDockerfile: existsSync(join(dir, 'Dockerfile')) }),
    },
    { path: join(dir, initFiles.workflow), content: starterWorkflow },
  ];
  const existing = files.filter((f) => existsSync(f.path)).map((f) => relative(dir, f.path));
  if (existing.length > 0 && options.force !== true) {
    throw new SovhError(
      'INIT_WOULD_OVERWRITE',
      `${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''} in ${dir}; nothing was written. Move them away, or run \`npx sovh init --force\` to overwrite them`,
    );
  }
  for (const file of files) {
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(file.path, file.content);
    process.stdout.write(`wrote ${relative(dir, file.path)}\n`);
  }
  if (existsSync(join(dir, 'Dockerfile')) && !existsSync(join(dir, '.dockerignore')))
    process.stdout.write(
      'note: this directory is the build context of the stack; a .dockerignore naming node_modules and reports keeps them out of it\n',
    );
  process.stdout.write(
    `next: set the stack and its sections in ${initFiles.config}, then \`npx sovh list\` and \`npx sovh run\`\n`,
  );
  return 0;
}
