import { describe, expect, it } from 'vitest';
import { makeCatalog } from '../scenario/scenario-catalog.ts';
import { describeWithheldMutants, stackSummaryLine } from './stack-output.ts';
import bootBindingScenario from '../../scenarios/boot-binding/boot-binding.ts';

describe('stack output', () => {
  it('names the stack by source, image id, digests and sections', () => {
    expect(
      stackSummaryLine({
        source: 'the image acme/stack:1',
        kind: 'image',
        image: 'sha256:abc',
        id: 'sha256:abc',
        repoDigests: ['acme/stack@sha256:def'],
        sections: ['egress', 'dns'],
        sectionsDeclaredBy: 'image label dev.sovh.contract-sections',
      }),
    ).toBe(
      'stack: the image acme/stack:1: image sha256:abc, acme/stack@sha256:def; sections (image label dev.sovh.contract-sections): egress, dns',
    );
  });

  it('counts the built-in mutants left out against another stack, once per scenario', () => {
    const other = makeCatalog({ referenceStack: false });
    const bootBinding = other.scenarios.filter((s) => s.name === 'boot-binding');
    expect(describeWithheldMutants(other, [...bootBinding, ...bootBinding])).toMatch(
      `built-in scenarios' ${bootBindingScenario.mutants.length} mutant(s) are patches against the reference stack`,
    );
    expect(describeWithheldMutants(makeCatalog(), bootBinding)).toBeUndefined();
  });
});
