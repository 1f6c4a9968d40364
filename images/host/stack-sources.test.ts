import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const stackRoot = join(import.meta.dirname, 'rootfs', 'usr', 'lib', 'residency');

function pythonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? pythonFiles(join(dir, entry.name))
      : entry.name.endsWith('.py')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('the reference stack sources', () => {
  it('compile under Python 3 (a syntax error would otherwise surface only inside a scenario)', () => {
    const files = pythonFiles(stackRoot);
    expect(files.length).toBeGreaterThan(5);
    const script =
      'import ast, sys\nfor path in sys.argv[1:]:\n    ast.parse(open(path, encoding="utf-8").read(), path)\n';
    expect(() =>
      execFileSync('python3', ['-c', script, ...files], { stdio: 'pipe' }),
    ).not.toThrow();
  });
});
