import type { Benchmark } from './benchmark.ts';
import hostBringUp from './host-bring-up.bench.ts';
import imageBuild from './image-build.bench.ts';

/** Every benchmark `npm run bench` runs, in order. */
export const benchmarks: readonly Benchmark[] = [hostBringUp, imageBuild];
