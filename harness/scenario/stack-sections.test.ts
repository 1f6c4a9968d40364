import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  contractSectionNames,
  contractSectionsLabel,
  parseContractSections,
} from '../contract/contract-sections.ts';
import { scenarios } from '../../scenarios/index.ts';
import { notImplementedChecks, undeclaredSections } from './stack-sections.ts';

describe('contract sections', () => {
  it('are read from a label, unknown names apart', () => {
    expect(parseContractSections('egress, dns,egress')).toEqual({
      sections: ['egress', 'dns'],
      unknown: [],
    });
    expect(parseContractSections('egress,teleport').unknown).toEqual(['teleport']);
  });

  it('make a scenario not applicable, by name, when the stack does not declare them', () => {
    const scenario = {
      sections: ['boot-binding', 'store'] as const,
      checks: [
        { name: 'a', description: 'A', verify: () => ({ status: 'pass' as const, summary: '' }) },
      ],
    };
    expect(undeclaredSections(scenario, ['store'])).toEqual(['boot-binding']);
    expect(undeclaredSections(scenario, ['store', 'boot-binding'])).toEqual([]);
    expect(undeclaredSections({}, [])).toEqual([]);
    expect(notImplementedChecks(scenario, ['boot-binding'])).toEqual([
      expect.objectContaining({
        name: 'a',
        status: 'not-applicable',
        summary: 'not applicable: stack does not implement boot-binding',
      }),
    ]);
  });

  it('are stated by every built-in scenario', () => {
    const without = scenarios.filter((s) => (s.sections ?? []).length === 0).map((s) => s.name);
    expect(without).toEqual([]);
  });

  it('are all declared by the reference stack, through its image label', () => {
    const dockerfile = readFileSync(
      join(import.meta.dirname, '..', '..', 'images', 'host', 'Dockerfile'),
      'utf8',
    );
    const label = new RegExp(
      `^LABEL ${contractSectionsLabel.replace(/\./g, '\\.')}="([^"]*)"`,
      'm',
    ).exec(dockerfile);
    const declared = parseContractSections(label?.[1] ?? '');
    expect(declared.unknown).toEqual([]);
    expect([...declared.sections].sort()).toEqual([...contractSectionNames].sort());
  });
});
