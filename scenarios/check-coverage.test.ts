import { describe, expect, it } from 'vitest';
import { checksWithoutMutant, notYetShownToFail } from './checks-without-mutant.ts';
import { scenarios } from './index.ts';

describe('every check is shown to fail', () => {
  it('is named by a mutant or listed with a reason, never both, never neither', () => {
    const problems: string[] = [];
    for (const scenario of scenarios) {
      const named = new Set(scenario.mutants.flatMap((m) => m.expectFailing));
      const listed = checksWithoutMutant[scenario.name] ?? {};
      for (const check of scenario.checks) {
        const reason = listed[check.name];
        if (!named.has(check.name) && reason === undefined)
          problems.push(
            `${scenario.name}/${check.name}: no mutant names it and no reason is given`,
          );
        if (named.has(check.name) && reason !== undefined)
          problems.push(
            `${scenario.name}/${check.name}: a mutant names it; drop its listed reason`,
          );
      }
      for (const name of Object.keys(listed))
        if (!scenario.checks.some((c) => c.name === name))
          problems.push(`${scenario.name}/${name}: listed, but the scenario has no such check`);
    }
    for (const name of Object.keys(checksWithoutMutant))
      if (!scenarios.some((s) => s.name === name)) problems.push(`${name}: no such scenario`);
    expect(problems).toEqual([]);
  });

  it('counts the checks still owed a mutant', () => {
    const owed = Object.values(checksWithoutMutant).flatMap((checks) =>
      Object.values(checks).filter((reason) => reason === notYetShownToFail),
    );
    // The debt may only shrink: lower this number as mutants are added, never raise it.
    expect(owed.length).toBeLessThanOrEqual(0);
  });
});
