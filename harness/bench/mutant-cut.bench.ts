import bootBinding from '../../scenarios/boot-binding/boot-binding.ts';
import geoGate from '../../scenarios/geo-gate/geo-gate.ts';
import hsmCableCut from '../../scenarios/hsm-cable-cut/hsm-cable-cut.ts';
import kmsKeyCustody from '../../scenarios/kms-key-custody/kms-key-custody.ts';
import type { RunEnvironment } from '../scenario/environment.ts';
import type { Scenario } from '../scenario/scenario.ts';
import { runScenario } from '../scenario/scenario-runner.ts';
import { round } from './bench-stats.ts';
import type { Benchmark, BenchTable } from './benchmark.ts';

/** One mutant of each scenario with cuts, each stopping at a different depth of its schedule. */
const picks: readonly { scenario: Scenario; mutant: string }[] = [
  { scenario: kmsKeyCustody, mutant: 'data-key-aes-128' },
  { scenario: kmsKeyCustody, mutant: 'unwrap-without-kms' },
  { scenario: hsmCableCut, mutant: 'hsm-watch-past-bound' },
  { scenario: geoGate, mutant: 'geoip-check-disabled' },
  { scenario: bootBinding, mutant: 'audit-records-name' },
];

/**
 * A mutant run that stops where its checks are decided (Mutant.stopAfterStep), against the same
 * mutant with its whole schedule (`--full-schedule`), one after the other in the same process:
 * the wall time of each, and whether both catch it.
 */
async function cutFigures(environment: RunEnvironment): Promise<BenchTable> {
  const rows: (string | number)[][] = [];
  for (const { scenario, mutant } of picks) {
    const full = await runScenario(scenario, environment, { mutant, fullSchedule: true });
    const cut = await runScenario(scenario, environment, { mutant });
    rows.push([
      `${scenario.name} / ${mutant}`,
      round(full.durationMs / 1000),
      round(cut.durationMs / 1000),
      round(full.durationMs / Math.max(1, cut.durationMs), 2),
      `${full.mutant?.verdict ?? '-'} / ${cut.mutant?.verdict ?? '-'}`,
    ]);
  }
  return {
    title: 'mutant runs: whole schedule against the run stopped where its checks are decided',
    columns: ['scenario / mutant', 'whole s', 'stopped s', 'ratio', 'verdict whole / stopped'],
    rows,
    note: 'Wall time of each scenario run (bring-up, schedule, teardown), measured in the same run; the ratio is whole over stopped. Both must say "caught".',
  };
}

const mutantCut: Benchmark = {
  name: 'mutant-cut',
  description:
    'Mutant runs stopped after the step where their checks are decided, against whole ones',
  async run(environment) {
    return [await cutFigures(environment)];
  },
};

export default mutantCut;
