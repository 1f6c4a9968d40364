import { prepareEnvironment } from '../scenario/environment.ts';
import { consoleLogger } from '../util/log.ts';
import { describeError } from '../util/sovh-error.ts';
import {
  benchResults,
  compareTable,
  readBenchResults,
  writeBenchResults,
  type BenchResults,
} from './bench-json.ts';
import { benchmarks } from './index.ts';
import { renderTable } from './table-printer.ts';

/**
 * `npm run bench [NAME...] [--json FILE] [--compare FILE]`: runs the benchmarks and prints their
 * figures side by side with their baselines; `--json` also writes them for a CI job, `--compare`
 * shows an earlier results file's figures beside them. Figures only: nothing passes or fails on
 * speed.
 */
async function main(args: string[]): Promise<number> {
  const jsonAt = args.indexOf('--json');
  const compareAt = args.indexOf('--compare');
  const jsonFile = jsonAt < 0 ? undefined : args[jsonAt + 1];
  const compareFile = compareAt < 0 ? undefined : args[compareAt + 1];
  if ((jsonAt >= 0 && jsonFile === undefined) || (compareAt >= 0 && compareFile === undefined)) {
    process.stderr.write(
      '--json and --compare take a file: --json bench.json --compare main.json\n',
    );
    return 2;
  }
  const fileArgs = new Set([jsonAt, compareAt].filter((at) => at >= 0).map((at) => at + 1));
  const names = args.filter((a, i) => !a.startsWith('--') && !fileArgs.has(i));
  const earlier = compareFile === undefined ? undefined : await readBenchResults(compareFile);
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
  const measured: BenchResults['benchmarks'] = [];
  for (const benchmark of chosen) {
    log.info(`bench ${benchmark.name}: ${benchmark.description}`);
    try {
      const tables = await benchmark.run(environment);
      measured.push({ name: benchmark.name, tables });
      const before = earlier?.benchmarks.find((b) => b.name === benchmark.name)?.tables;
      for (const table of tables) {
        const shown = compareTable(
          table,
          before?.find((t) => t.title === table.title),
        );
        process.stdout.write(`\n${renderTable(shown)}\n`);
      }
    } catch (error) {
      failures += 1;
      measured.push({ name: benchmark.name, tables: [], error: describeError(error) });
      process.stdout.write(`\n== ${benchmark.name}: could not measure: ${describeError(error)}\n`);
    }
  }
  if (jsonFile !== undefined) {
    await writeBenchResults(jsonFile, benchResults(measured));
    process.stdout.write(`\nfigures written to ${jsonFile}\n`);
  }
  return failures === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
