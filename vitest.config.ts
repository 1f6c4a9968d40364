import { defineConfig } from 'vitest/config';

/**
 * Two projects: "unit" (pure logic, seconds) and "docker" (real containers: the runtime, the
 * simulators and every scenario with its mutants). `npm test` runs both; `npm run test:unit` is
 * the quick loop. Docker tests run in forked processes so that signal handling and engine
 * clients behave as in the CLI.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{harness,sims,scenarios,images}/**/*.test.ts'],
          exclude: ['**/*.docker.test.ts', 'node_modules/**'],
          // The quick project first; its own worker count needs its own group.
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'docker',
          include: ['{harness,sims,scenarios,images}/**/*.docker.test.ts'],
          globalSetup: ['harness/testing/docker-global-setup.ts'],
          sequence: { groupOrder: 1 },
          pool: 'forks',
          // Two cores: two worlds at a time keep both busy without starving the engine.
          maxWorkers: 2,
          testTimeout: 600_000,
          hookTimeout: 1_200_000,
        },
      },
    ],
  },
});
