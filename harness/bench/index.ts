import type { Benchmark } from './benchmark.ts';
import cellBringUp from './cell-bring-up.bench.ts';
import commandChannel from './command-channel.bench.ts';
import egressThroughput from './egress-throughput.bench.ts';
import geoGateLatency from './geo-gate.bench.ts';
import hostBringUp from './host-bring-up.bench.ts';
import imageBuild from './image-build.bench.ts';
import keyCustody from './key-custody.bench.ts';
import linkDelayAccuracy from './link-delay-accuracy.bench.ts';
import mutantCut from './mutant-cut.bench.ts';
import overlay from './overlay.bench.ts';
import powerThermal from './power-thermal.bench.ts';
import ruleLoad from './rule-load.bench.ts';

/** Every benchmark `npm run bench` runs, in order; `npm run bench -- NAME...` picks some. */
export const benchmarks: readonly Benchmark[] = [
  hostBringUp,
  imageBuild,
  egressThroughput,
  linkDelayAccuracy,
  overlay,
  ruleLoad,
  geoGateLatency,
  keyCustody,
  cellBringUp,
  powerThermal,
  commandChannel,
  mutantCut,
];
