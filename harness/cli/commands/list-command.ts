import { runSettings, type SettingsFlags } from '../../config/run-settings.ts';
import { describeScenarioForList } from '../../scenario/scenario-catalog.ts';

/** `sovh list`: the scenarios a run can make here (built-in and the config's), with their mutants. */
export async function listCommand(options: { json?: boolean } & SettingsFlags): Promise<number> {
  const { catalog } = await runSettings(options);
  const entries = catalog.scenarios.map((s) =>
    describeScenarioForList(s, catalog.origins.get(s.name)),
  );
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    return 0;
  }
  for (const entry of entries) {
    const origin = entry.origin === 'built-in' ? '' : ` (${entry.origin})`;
    process.stdout.write(`${entry.name}${origin}\n  ${entry.description}\n`);
    process.stdout.write(`  needs: ${entry.needs.join(', ') || '-'}\n`);
    process.stdout.write(`  contract sections: ${entry.sections.join(', ') || '-'}\n`);
    process.stdout.write(`  checks: ${entry.checks.map((c) => c.name).join(', ')}\n`);
    for (const bound of entry.bounds) {
      process.stdout.write(
        `  bound ${bound.name}: ${bound.description} (contract: ${bound.contract} ${bound.unit}; a stack may only make it ${bound.tighter})\n`,
      );
    }
    for (const mutant of entry.mutants) {
      process.stdout.write(
        `  mutant ${mutant.name}: ${mutant.description} (must fail: ${mutant.expectFailing.join(', ')}${mutant.skipSteps === undefined ? '' : `; its run leaves out ${mutant.skipSteps.map((s) => `"${s}"`).join(', ')}`}${mutant.stopAfterStep === undefined ? '' : `; its run stops after "${mutant.stopAfterStep}"`}${mutant.trainFaults === undefined ? '' : `; it plays ${mutant.trainFaults} fault(s) of each fault train`})\n`,
      );
    }
    const withheld = catalog.withheldMutants.get(entry.name) ?? [];
    if (withheld.length > 0)
      process.stdout.write(
        `  (${withheld.length} built-in mutant(s) patch the reference stack: not run against this stack)\n`,
      );
  }
  return 0;
}
