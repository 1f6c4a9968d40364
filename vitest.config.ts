import { defineConfig } from 'vitest/config';
import { DurationSequencer } from './harness/testing/duration-sequencer.ts';

/**
 * Scenarios whose checks compare a measurement with a threshold held tight by the stack's
 * contract (throughput within 5 % of the unfenced path, 1 % UDP loss): they run after the others, one at a time,
 * so that the other worlds' load does not land in one side of the comparison only.
 */
const measuringAlone = [
  'scenarios/egress-throughput/*.docker.test.ts',
  'scenarios/link-latency/*.docker.test.ts',
];

const dockerProject = {
  globalSetup: ['harness/testing/docker-global-setup.ts'],
  pool: 'forks' as const,
  // Above the sum of a scenario's phase bounds (harness/scenario/phase-watchdog.ts), so that a hung
  // phase ends in the watchdog's named "unknown", not in the runner's kill.
  testTimeout: 900_000,
  hookTimeout: 1_200_000,
};

/**
 * How many test files run at once (SOVH_TEST_WORKERS, default 2). Most of a scenario's time is
 * its schedule's own clock, not CPU: on two cores two files at a time leave the CPU idle a good
 * part of the time. Three are faster, but only with the CPU weights that `.ci/run` sets (the
 * containers above the engine's own work): without them, three worlds' container starts once
 * held a stack's key wipe past its 2 s bound. `.ci/run` asks for three where it could set the
 * weights (docs/reliability.md, "CPU weights").
 */
const workers = testWorkers(process.env.SOVH_TEST_WORKERS);

function testWorkers(value: string | undefined): number {
  if (value === undefined || value === '') return 2;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`SOVH_TEST_WORKERS=${value} is not a whole number of workers: give 1 or more`);
  return n;
}

/**
 * The unit, package and docker projects share one group of workers. The sequencer starts the
 * longest files first, so the quick files fill the tail where one worker would otherwise wait for
 * the others; in a group of their own they held every worker for minutes while no world ran.
 */
const withTheWorlds = { sequence: { groupOrder: 0 }, maxWorkers: workers };

/**
 * Four projects: "unit" (pure logic, seconds), "package" (the packed package installed as a user
 * would), "docker" (real containers: the runtime, the
 * simulators and every scenario with its mutants) and "docker-alone" (the measuring scenarios,
 * last and one at a time). `npm test` runs them all; `npm run test:unit` is the quick loop.
 * Docker tests run in forked processes so that signal handling and engine clients behave as in
 * the CLI.
 */
export default defineConfig({
  test: {
    // Longest recorded files first (test-durations.json), so that both docker workers end together.
    sequence: { sequencer: DurationSequencer },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{harness,sims,scenarios,images}/**/*.test.ts'],
          exclude: ['**/*.docker.test.ts', '**/*.package.test.ts', 'node_modules/**'],
          // Some unit tests run real tools (openssl, tpm2-tools' parsers, python): 1-2 s alone, but
          // they share the two cores with the worlds, and once took 7.5 s past the 5 s default.
          testTimeout: 30_000,
          ...withTheWorlds,
        },
      },
      {
        test: {
          // `npm pack` installed into an empty directory: seconds of npm, no engine.
          name: 'package',
          include: ['harness/**/*.package.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          ...withTheWorlds,
        },
      },
      {
        test: {
          name: 'docker',
          include: ['{harness,sims,scenarios,images}/**/*.docker.test.ts'],
          exclude: [...measuringAlone, 'node_modules/**'],
          ...dockerProject,
          ...withTheWorlds,
        },
      },
      {
        test: {
          name: 'docker-alone',
          include: measuringAlone,
          ...dockerProject,
          sequence: { groupOrder: 1 },
          maxWorkers: 1,
        },
      },
    ],
  },
});
