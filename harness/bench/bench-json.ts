import { readFile, writeFile } from 'node:fs/promises';
import { cpus, release } from 'node:os';
import { SovhError } from '../util/sovh-error.ts';
import type { BenchTable } from './benchmark.ts';

/** What `npm run bench -- --json FILE` writes: every table, for a CI job to compare. */
export interface BenchResults {
  format: 'sovh-bench/1';
  at: string;
  machine: { cpus: number; cpuModel: string; kernel: string; node: string };
  benchmarks: { name: string; tables: BenchTable[]; error?: string }[];
}

export function benchResults(benchmarks: BenchResults['benchmarks']): BenchResults {
  const cores = cpus();
  return {
    format: 'sovh-bench/1',
    at: new Date().toISOString(),
    machine: {
      cpus: cores.length,
      cpuModel: cores[0]?.model ?? 'unknown',
      kernel: release(),
      node: process.version,
    },
    benchmarks,
  };
}

export async function writeBenchResults(file: string, results: BenchResults): Promise<void> {
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
}

export async function readBenchResults(file: string): Promise<BenchResults> {
  let parsed: Partial<BenchResults>;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<BenchResults>;
  } catch (error) {
    throw new SovhError(
      'BENCH_RESULTS_UNREADABLE',
      `cannot read benchmark results ${file}: ${(error as Error).message}; give a file written by \`npm run bench -- --json FILE\``,
    );
  }
  if (parsed.format !== 'sovh-bench/1' || !Array.isArray(parsed.benchmarks))
    throw new SovhError(
      'BENCH_RESULTS_UNREADABLE',
      `${file} is not a benchmark results file (format sovh-bench/1)`,
    );
  return parsed as BenchResults;
}

/**
 * A table with each numeric cell followed by its value in an earlier run (same benchmark, table
 * title, row label in the first column and column), e.g. "41.2 (was 39.0, +5.6 %)". Cells with no
 * counterpart stay as they are. Figures from two runs on a shared machine differ by noise as well:
 * the note says so, and ratios measured within one run compare better than absolute figures.
 */
export function compareTable(table: BenchTable, earlier: BenchTable | undefined): BenchTable {
  if (earlier === undefined) return table;
  const rows = table.rows.map((row) => {
    const before = earlier.rows.find((r) => String(r[0]) === String(row[0]));
    return row.map((cell, i) => {
      const was = before?.[i];
      if (i === 0 || typeof cell !== 'number' || typeof was !== 'number') return cell;
      const change = was === 0 ? '' : `, ${((cell / was - 1) * 100).toFixed(1)} %`;
      return `${String(cell)} (was ${String(was)}${change})`;
    });
  });
  return {
    ...table,
    rows,
    note: `${table.note === undefined ? '' : `${table.note}; `}"was": the earlier results file; runs on a shared machine differ by noise too`,
  };
}
