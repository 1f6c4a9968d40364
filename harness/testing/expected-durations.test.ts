import { describe, expect, it } from 'vitest';
import {
  longestFirst,
  longestFirstInGroups,
  parseReporterDurations,
  unknownDurationMs,
} from './expected-durations.ts';

describe('expected test durations', () => {
  it('reads the file lines of the default reporter, colours and all, and nothing else', () => {
    const log = [
      ' \x1b[32m✓\x1b[39m \x1b[30m\x1b[45m docker \x1b[49m\x1b[39m scenarios/a/a.docker.test.ts \x1b[2m(4 tests)\x1b[22m\x1b[33m 125528\x1b[2mms\x1b[22m\x1b[39m',
      ' ✓  docker-alone  scenarios/b/b.docker.test.ts (1 test) 900ms',
      ' ×  docker  scenarios/c/c.docker.test.ts (3 tests | 1 failed) 4000ms',
      '     ✓ passes every check against the reference stack  16276ms',
      '[07:09:38]   pass           link-delay-as-configured: 10.3 ms',
    ].join('\n');
    expect(parseReporterDurations(log)).toEqual({
      'docker:scenarios/a/a.docker.test.ts': 125528,
      'docker-alone:scenarios/b/b.docker.test.ts': 900,
      'docker:scenarios/c/c.docker.test.ts': 4000,
    });
  });

  it('orders the longest first, files without a record among them at their default', () => {
    const durations = { a: 5_000, b: 300_000, c: unknownDurationMs + 1 };
    expect(longestFirst(['a', 'new', 'b', 'c', 'other'], (x) => x, durations)).toEqual([
      'b',
      'c',
      'new',
      'other',
      'a',
    ]);
  });

  it('keeps the groups in their order and mixes the projects of a group, longest first', () => {
    const files = [
      { group: 1, key: 'docker-alone:x' },
      { group: 0, key: 'unit:quick' },
      { group: 0, key: 'docker:world' },
      { group: 0, key: 'package:pack' },
    ];
    const durations = { 'docker-alone:x': 900_000, 'unit:quick': 50, 'docker:world': 300_000 };
    const ordered = longestFirstInGroups(
      files,
      (f) => f.group,
      (f) => f.key,
      durations,
    ).map((f) => f.key);
    expect(ordered).toEqual(['docker:world', 'package:pack', 'unit:quick', 'docker-alone:x']);
  });
});
