import { readResultsFile } from '../report/results-file.ts';
import { findCuts } from '../scenario/cut-finder.ts';
import { scenarios } from '../../scenarios/index.ts';
import { describeError } from '../util/sovh-error.ts';

/**
 * `npm run -s cuts -- RUN_DIR`: for every mutant of every scenario that passed in a run of the
 * reference stack, the earliest step its schedule could stop after (the cut proof of the
 * scenario's tests, tried on each step), and the schedule time that saves beside its declared cut.
 * A candidate becomes a cut (Mutant.stopAfterStep) only once its mutant is caught on it.
 */
async function main(dir: string | undefined): Promise<number> {
  if (dir === undefined) {
    process.stderr.write(
      'give a run folder of the reference stack: npm run -s cuts -- reports/<run-id>\n',
    );
    return 2;
  }
  const { report } = await readResultsFile(dir);
  let total = 0;
  for (const result of report.scenarios) {
    const scenario = scenarios.find((s) => s.name === result.scenario);
    if (scenario === undefined || result.mutant !== undefined || result.status !== 'passed')
      continue;
    const found = await findCuts(scenario, result, report.capabilities);
    for (const c of found) {
      const gain = c.savedMs - c.declaredSavedMs;
      if (gain > 0) total += gain;
      const line = [
        result.scenario.padEnd(24),
        c.mutant.padEnd(36),
        (c.earliest ?? '-').padEnd(40),
        `${(c.savedMs / 1000).toFixed(0)} s`.padStart(6),
        c.declared === undefined
          ? ''
          : `(declared ${c.declared}: ${(c.declaredSavedMs / 1000).toFixed(0)} s)`,
      ];
      process.stdout.write(`${line.join(' ')}\n`);
    }
  }
  process.stdout.write(
    `schedule time a cut at each earliest step would save beyond the declared cuts: ${(total / 1000).toFixed(0)} s\n`,
  );
  return 0;
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${describeError(error)}\n`);
    process.exit(1);
  },
);
