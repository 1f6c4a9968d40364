import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSovhError } from '../../harness/util/sovh-error.ts';
import coolingFailure from '../cooling-failure/cooling-failure.ts';
import { scenarios } from '../index.ts';
import { checkType } from './check-registry.ts';
import { readIncident } from './incident-file.ts';

const examples = join(import.meta.dirname, '..', '..', 'examples', 'incidents');

const critical = (schedule: string) =>
  `scenario: cooling-failure\nschedule:\n${schedule}\nchecks:\n  - critical-action-at-configured-limit\n`;

function problems(text: string): string {
  try {
    readIncident(text, join(examples, 'critical-test.yaml'), { scenarios });
  } catch (error) {
    if (isSovhError(error)) return error.message;
    throw error;
  }
  throw new Error('expected the file to be refused');
}

describe('incident files naming the critical-temperature checks', () => {
  it('judge with cooling-failure’s own checks, descriptions and all', () => {
    for (const declared of coolingFailure.checks.filter((c) => c.name.startsWith('critical-'))) {
      const type = checkType(declared.name);
      expect([type.from, type.kit.name]).toEqual(['cooling-failure', 'thermal-critical']);
      expect(type.make().description).toBe(declared.description);
    }
  });

  it('read the recorded CPU overheat example: a BMC trace judged by cooling-failure’s checks and mutants', () => {
    const example = join(examples, 'recorded-cpu-overheat.yaml');
    const incident = readIncident(readFileSync(example, 'utf8'), example, { scenarios });
    expect(incident.scenario).toBe('cooling-failure');
    expect(incident.plan.faults.map((f) => [f.type, f.atMs, f.parameters])).toEqual([
      [
        'bmc-trace',
        1_000,
        {
          machine: 'rack2',
          file: join(dirname(example), 'traces', 'cpu-overheat.csv'),
          speedup: 40,
        },
      ],
    ]);
    // The trace starts 5 s after the fault and lasts 18 s at 40x: the schedule holds past its end.
    expect(incident.plan.endMs).toBe(27_000);
    expect(incident.kits.map((k) => [k.kit.name, k.values])).toEqual([
      ['thermal-critical', { host: 'vm1' }],
    ]);
    expect(incident.contractBounds.map((b) => b.name)).toEqual(['criticalActionMs']);
    expect(incident.mutants.map((m) => [m.name, m.expectFailing])).toEqual([
      [
        'store-restarted-by-keepalive',
        ['critical-action-in-time', 'critical-action-at-configured-limit'],
      ],
      ['critical-limit-key-misread', ['critical-action-at-configured-limit']],
      ['no-critical-action', ['critical-action-in-time', 'critical-action-at-configured-limit']],
      ['critical-debounced', ['critical-action-at-configured-limit']],
    ]);
  });

  it('are refused without a recorded BMC trace or a cooling failure to judge', () => {
    expect(problems(critical('  - wait: 10s'))).toContain(
      'line 3, schedule: the critical-temperature checks judge a recorded BMC trace or a cooling failure: add a `bmc-trace`',
    );
    const traced = readIncident(
      critical('  - at: 1s\n    fault: bmc-trace\n    params: { file: traces/cpu-overheat.csv }'),
      join(examples, 'critical-test.yaml'),
      { scenarios },
    );
    expect(traced.plan.faults[0]?.parameters['machine']).toBe('rack2');
    const cooled = readIncident(
      critical('  - at: 1s\n    fault: cooling-failure\n  - wait: 30s'),
      join(examples, 'critical-test.yaml'),
      { scenarios },
    );
    expect(cooled.plan.faults.map((f) => f.type)).toEqual(['cooling-failure']);
  });

  it('may be named with the thermal alarm checks: each evidence gathered by itself', () => {
    const both = readIncident(
      'scenario: cooling-failure\nschedule:\n  - at: 1s\n    fault: cooling-failure\n  - wait: 30s\nchecks:\n  - alarm-above-27\n  - critical-action-in-time\n',
      join(examples, 'critical-test.yaml'),
      { scenarios },
    );
    expect(both.kits.map((k) => [k.kit.name, k.values])).toEqual([
      ['thermal-alarms', { host: 'vm1' }],
      ['thermal-critical', { host: 'vm1' }],
    ]);
    expect(both.contractBounds.map((b) => b.name)).toEqual(['thermalAlarmMs', 'criticalActionMs']);
  });
});
