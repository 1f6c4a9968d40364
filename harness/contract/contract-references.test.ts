import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contractDebts } from './contract-debts.ts';
import { contractReferences } from './contract-references.ts';

const root = join(import.meta.dirname, '..', '..');

function sourcesUnder(dir: string): string[] {
  return (readdirSync(join(root, dir), { recursive: true }) as string[])
    .map((file) => join(dir, file))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));
}

function referencesOf(file: string, kinds?: readonly string[]): string[] {
  const found = contractReferences(readFileSync(join(root, file), 'utf8'))
    .filter((r) => kinds === undefined || kinds.includes(r.kind))
    .map((r) => `${r.kind}:${r.text}`);
  return [...new Set(found)].sort();
}

describe('the contract module is the only interface to the stack', () => {
  it('finds host paths, markers, ports and reference-only phrases outside the contract', () => {
    const source = [
      "const a = '/var/lib/residency/secret.db';",
      "const b = 'LOCALIZATION_MISMATCH and KEYS_LEAKED';",
      'const c = 8443;',
      'waitForLog(/egress fence loaded/, 10);',
      "throw new SovhError('STEP_FAILED', 'x');",
      "const ok = '/var/lib/residency/log/residency.log /data/sovereign_storage/x.obj';",
      '// a comment may say /etc/residency/anything or 9443',
    ].join('\n');
    expect(contractReferences(source).map((r) => `${r.kind}:${r.text}`)).toEqual([
      'host-path:/var/lib/residency/secret.db',
      'log-marker:KEYS_LEAKED',
      'reference-only:egress fence loaded',
      'port:8443',
    ]);
  });

  it('no probe, check, fault or scenario reaches the stack except through the contract module', () => {
    const files = ['scenarios', 'harness/checks', 'harness/faults'].flatMap(sourcesUnder);
    const found = Object.fromEntries(
      files
        .map((file) => [relative('.', file), referencesOf(file)] as const)
        .filter(([, refs]) => refs.length > 0),
    );
    const debts = Object.fromEntries(
      Object.entries(contractDebts).map(([file, refs]) => [file, [...refs].sort()]),
    );
    expect(found).toEqual(debts);
  });

  it('simulators name host paths only through the contract module', () => {
    const files = sourcesUnder('sims');
    const found = files.flatMap((file) =>
      referencesOf(file, ['host-path']).map((ref) => `${file}: ${ref}`),
    );
    expect(found).toEqual([]);
  });
});
