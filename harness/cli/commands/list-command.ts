import { describeScenarioForList } from '../../scenario/scenario-catalog.ts';
import { scenarios } from '../../../scenarios/index.ts';

export function listCommand(options: { json?: boolean }): number {
  const entries = scenarios.map(describeScenarioForList);
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    return 0;
  }
  for (const entry of entries) {
    process.stdout.write(`${entry.name}\n  ${entry.description}\n`);
    process.stdout.write(`  needs: ${entry.needs.join(', ') || '-'}\n`);
    process.stdout.write(`  checks: ${entry.checks.map((c) => c.name).join(', ')}\n`);
    for (const mutant of entry.mutants) {
      process.stdout.write(
        `  mutant ${mutant.name}: ${mutant.description} (must fail: ${mutant.expectFailing.join(', ')})\n`,
      );
    }
  }
  return 0;
}
