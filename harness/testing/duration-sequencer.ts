import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { type ExpectedDurations, longestFirstInGroups } from './expected-durations.ts';

/** The recorded durations (`npm run test:durations -- LOG` rewrites them from a run's log). */
export const durationsFile = join(import.meta.dirname, '..', '..', 'test-durations.json');

function recordedDurations(): ExpectedDurations {
  try {
    return JSON.parse(readFileSync(durationsFile, 'utf8')) as ExpectedDurations;
  } catch {
    return {};
  }
}

/**
 * Vitest's own order of groups, and within a group the longest files first, whatever their
 * project, by the recorded durations, not by vitest's cache: a clean clone in CI has no cache,
 * and its fallback (larger files first) says nothing about how long a scenario's worlds take.
 */
export class DurationSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const durations = recordedDurations();
    const root = this.ctx.config.root;
    return longestFirstInGroups(
      await super.sort(files),
      (file) => file.project.config.sequence.groupOrder,
      (file) => `${file.project.name}:${relative(root, file.moduleId)}`,
      durations,
    );
  }
}
