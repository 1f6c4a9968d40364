import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = import.meta.dirname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'mutants' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/**
 * What a scenario may take from harness/faults: the one path, the registry itself, types, and the
 * fault train, which only schedules the faults a scenario injects through that path.
 */
const allowed = new Set([
  'inject-fault.ts',
  'fault-train.ts',
  'fault.ts',
  'fault-registry.ts',
  'fault-parameters.ts',
  'world-nodes.ts',
]);

describe('the fault path of the scenarios', () => {
  it('breaks the world only through the registry: no scenario imports a fault directly', () => {
    const direct = sources(root).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/from '[./]*\/harness\/faults\/([^']+)'/g)]
        .map((m) => m[1] ?? '')
        .filter((module) => !allowed.has(module))
        .map((module) => `${relative(root, file)} imports harness/faults/${module}`),
    );
    expect(direct).toEqual([]);
  });

  it('calls no simulator or machine operation that a registered fault wraps', () => {
    const wrapped =
      /\.(cutCable|reconnectCable|revokeKey|stopAnswering|powerCycleTpm|fillAuditDisk|makeAuditFileUnwritable)\(|\bkms\.(stop|start)\(|setInputs\(\{ cooling/;
    const direct = sources(root).filter((file) => wrapped.test(readFileSync(file, 'utf8')));
    expect(direct.map((file) => relative(root, file))).toEqual([]);
  });
});
