import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { carryIncidentTraces } from './carried-traces.ts';

const incident = `# Played from a recorded outage.
name: recorded-outage
scenario: power-failure-key-wipe
schedule:
  - at: 1s
    fault: ups-trace # the site's own log
    params: { ups: ups1, file: traces/outage.log, speedup: 20 }
  - at: 2s
    fault: bmc-trace
    params: { machine: rack1, file: /srv/lab/inlet.csv }
  - at: 3s
    fault: ups-trace
    params: { ups: ups1, file: ./traces/../traces/outage.log }
  - at: 4s
    fault: hsm-cut
    params: { hsm: hsm-a }
checks:
  - keys-gone-from-memory
`;

interface Entry {
  fault: string;
  params: Record<string, unknown>;
}

describe('an incident file as a capsule carries it', () => {
  const carried = carryIncidentTraces(incident, '/home/ops/incidents/outage.yaml', {
    folder: 'incidents',
    prefix: '2-',
  });

  it('lists each trace its schedule reads once, from the incident file or absolute', () => {
    expect(carried.traces).toEqual([
      {
        recorded: '/home/ops/incidents/traces/outage.log',
        file: 'incidents/traces/2-1-outage.log',
      },
      { recorded: '/srv/lab/inlet.csv', file: 'incidents/traces/2-2-inlet.csv' },
    ]);
  });

  it('points every file parameter at the copy beside it, and keeps the rest as written', () => {
    const schedule = (parse(carried.text) as { schedule: Entry[] }).schedule;
    expect(schedule.map((e) => e.params.file)).toEqual([
      'traces/2-1-outage.log',
      'traces/2-2-inlet.csv',
      'traces/2-1-outage.log',
      undefined,
    ]);
    expect(schedule[0]?.params).toEqual({
      ups: 'ups1',
      file: 'traces/2-1-outage.log',
      speedup: 20,
    });
    expect(carried.text).toContain('# Played from a recorded outage.');
    expect(carried.text).toContain("# the site's own log");
  });

  it('leaves a file with no trace untouched, byte for byte', () => {
    const plain = `${incident.slice(0, incident.indexOf('schedule:'))}schedule:\n  - at: 1s\n    fault: hsm-cut\n`;
    expect(carryIncidentTraces(plain, '/x/y.yaml', { folder: 'incidents', prefix: '1-' })).toEqual({
      text: plain,
      traces: [],
    });
  });
});
