import { prepareEnvironment } from '../scenario/environment.ts';
import { consoleLogger } from '../util/log.ts';
import { describeError } from '../util/sovh-error.ts';
import { benchmarks } from './index.ts';
import { renderTable } from './table-printer.ts';

/**
 * `npm run bench [NAME...]`: runs the benchmarks and prints their figures side by side with
 * their baselines. Figures only: nothing passes or fails on speed.
 */
async function main(names: string[]): Promise<number> {
  const unknown = names.filter((n) => !benchmarks.some((b) => b.name === n));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown benchmark ${unknown.join(', ')}; known: ${benchmarks.map((b) => b.name).join(', ')}\n`,
    );
    return 2;
  }
  const log = consoleLogger();
  const environment = await prepareEnvironment({ log });
  const chosen = names.length === 0 ? benchmarks : benchmarks.filter((b) => names.includes(b.name));
  let failures = 0;
  for (const benchmark of chosen) {
    log.info(`bench ${benchmark.name}: ${benchmark.description}`);
    try {
      for (const table of await benchmark.run(environment))
        process.stdout.write(`\n${renderTable(table)}\n`);
    } catch (error) {
      failures += 1;
      process.stdout.write(`\n== ${benchmark.name}: could not measure: ${describeError(error)}\n`);
    }
  }
  return failures === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
