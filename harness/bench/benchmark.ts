import type { RunEnvironment } from '../scenario/environment.ts';

/** One table of figures, printed side by side: a baseline and what is measured against it. */
export interface BenchTable {
  title: string;
  columns: string[];
  rows: (string | number)[][];
  /** A sentence on how to read the figures (units, what the baseline is). */
  note?: string;
}

/**
 * A benchmark: measures and prints figures, never passes or fails. Registered in
 * harness/bench/index.ts and run by `npm run bench`.
 */
export interface Benchmark {
  name: string;
  description: string;
  run(environment: RunEnvironment): Promise<BenchTable[]>;
}
