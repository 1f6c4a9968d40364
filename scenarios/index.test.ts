import { describe, expect, it } from 'vitest';
import config from '../vitest.config.ts';
import { scenarios } from './index.ts';

/** The include globs of a vitest project of the config, by name. */
function projectIncludes(name: string): string[] {
  for (const project of config.test?.projects ?? []) {
    if (typeof project === 'object' && 'test' in project && project.test?.name === name)
      return project.test.include ?? [];
  }
  throw new Error(`vitest.config.ts has no project "${name}"`);
}

describe('the scenario suite', () => {
  it('has unique names', () => {
    const names = scenarios.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('runs the measuring scenarios alone under vitest too, and only those', () => {
    const alone = scenarios
      .filter((s) => s.measuresAlone === true)
      .map((s) => `scenarios/${s.name}/*.docker.test.ts`);
    expect(alone.length).toBeGreaterThan(0);
    expect(projectIncludes('docker-alone').sort()).toEqual(alone.sort());
  });
});
