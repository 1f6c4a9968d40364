import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSovhError } from '../../harness/util/sovh-error.ts';
import { scenarios } from '../index.ts';
import powerFailureKeyWipe from '../power-failure-key-wipe/power-failure-key-wipe.ts';
import { checkTypes } from './check-registry.ts';
import { isIncidentFile, readIncident } from './incident-file.ts';

const examplePath = join(
  import.meta.dirname,
  '..',
  '..',
  'examples',
  'incidents',
  'mains-failure-under-load.yaml',
);

function read(text: string, referenceStack = true) {
  return readIncident(text, 'incident.yaml', { scenarios, referenceStack });
}

function problems(text: string): string {
  try {
    read(text);
  } catch (error) {
    if (isSovhError(error)) return `${error.code}\n${error.message}`;
    throw error;
  }
  throw new Error('expected the file to be refused');
}

const keyWipe = (schedule: string, checks = '  - keys-gone-from-memory') =>
  `scenario: power-failure-key-wipe\nschedule:\n${schedule}\nchecks:\n${checks}\n`;

describe('incident files', () => {
  it('are named on the command line by their .yaml or .yml ending', () => {
    expect(isIncidentFile('incidents/outage.yaml')).toBe(true);
    expect(isIncidentFile('outage.YML')).toBe(true);
    expect(isIncidentFile('power-failure-key-wipe')).toBe(false);
  });

  it('reads the example: its schedule in time, its checks, the mutants that apply to them', () => {
    const incident = readIncident(readFileSync(examplePath, 'utf8'), examplePath, { scenarios });
    expect(incident.name).toBe('mains-failure-under-load');
    expect(incident.scenario).toBe('power-failure-key-wipe');
    expect(incident.topology).toBe(powerFailureKeyWipe.topology);
    expect(incident.plan.faults.map((f) => [f.atMs, f.type, f.parameters])).toEqual([
      [1_000, 'mains-failure', { ups: 'ups1' }],
      [22_000, 'machine-power-off', { machine: 'rack1' }],
    ]);
    expect(incident.plan.endMs).toBe(23_000);
    expect(incident.needs).toEqual(['cap:SYS_PTRACE']);
    // A built-in mutant expects only the checks the incident judges.
    expect(incident.mutants.find((m) => m.name === 'wipe-after-drain')?.expectFailing).toEqual([
      'keys-gone-from-memory',
      'sovereign-services-stopped',
    ]);
    expect(
      readIncident(readFileSync(examplePath, 'utf8'), examplePath, {
        scenarios,
        referenceStack: false,
      }).mutants,
    ).toEqual([]);
  });

  it('judges with the built-in scenario’s own checks', () => {
    for (const type of checkTypes) {
      const builtIn = scenarios
        .find((s) => s.name === type.from)
        ?.checks.find((c) => c.name === type.name);
      expect(builtIn, type.name).toBeDefined();
      expect(type.make().description).toBe(builtIn?.description);
    }
  });

  it('times faults after a wait from its end, and defaults a node to the only one of its kind', () => {
    const incident = read(
      keyWipe(
        '  - at: 0s\n    fault: mains-failure\n  - wait: 10s\n  - at: 2s\n    fault: hsm-cut\n    for: 3s',
      ),
    );
    expect(incident.plan.faults.map((f) => [f.atMs, f.forMs, f.parameters])).toEqual([
      [0, undefined, { ups: 'ups1' }],
      [12_000, 3_000, { hsm: 'hsm' }],
    ]);
    expect(incident.plan.endMs).toBe(15_000);
  });

  it('gives every problem of a bad file at once, each with its line, its field and the fix', () => {
    const text = [
      'scenario: power-failure-key-wipe',
      'colour: blue',
      'schedule:',
      '  - at: 5 seconds',
      '    fault: hsm-cutt',
      '  - at: 2s',
      '    fault: hsm-cut',
      '    params: { hsm: hsm-z }',
      '    for: -3s',
      '  - wait: soon',
      'checks:',
      '  - keys-gone-from-memroy',
      '  - check: keys-gone-from-memory',
      '    params: { host: vm7 }',
      '  - 42',
    ].join('\n');
    const message = problems(text);
    expect(message.split('\n')).toEqual([
      'INCIDENT_INVALID',
      'incident.yaml is not a valid incident:',
      '  line 2, colour: unknown field "colour": remove it (known fields here: name, description, scenario, topology, schedule, checks)',
      '  line 4, schedule[0].at: at "5 seconds" is not a duration; write it like 500ms, 30s, 2m, 1h or 1m30s',
      expect.stringMatching(
        /^ {2}line 5, schedule\[0\]\.fault: unknown fault "hsm-cutt"; known faults: hsm-cut, hsm-hang, mains-failure, .*kms-outage.* \(`npx sovh faults` describes them\)$/,
      ),
      '  line 8, schedule[1].params: params.hsm: this world has no HSM simulator named "hsm-z"; its HSM simulators: hsm',
      '  line 9, schedule[1].for: for "-3s" is not a duration; write it like 500ms, 30s, 2m, 1h or 1m30s',
      '  line 10, schedule[2].wait: wait "soon" is not a duration; write it like 500ms, 30s, 2m, 1h or 1m30s',
      expect.stringMatching(
        /^ {2}line 12, checks\[0\]: unknown check "keys-gone-from-memroy"; checks an incident can name: keys-gone-from-memory, /,
      ),
      '  line 14, checks[1].params: params.host: this world has no host named "vm7"; its hosts: vm1',
      '  line 15, checks[2]: give a check name, or `check:` with optional `params:`',
      '(the format: docs/incidents.md)',
    ]);
  });

  it('needs one world: a built-in scenario or a topology, not both, not an unknown scenario', () => {
    expect(problems('schedule: [{ at: 1s, fault: hsm-cut }]\nchecks: [shutdown-logged]')).toContain(
      'no world: give `scenario: <a built-in scenario>` (boot-binding, ',
    );
    expect(problems('scenario: boot-binding\ntopology: {}\nschedule: []\nchecks: []')).toContain(
      'line 1, scenario: give either `scenario` or `topology`, not both',
    );
    expect(
      problems(
        keyWipe('  - at: 1s\n    fault: mains-failure').replace(
          'power-failure-key-wipe',
          'power-fail',
        ),
      ),
    ).toContain(
      'line 1, scenario: no built-in scenario "power-fail"; built-in scenarios: boot-binding,',
    );
  });

  it('checks an inline topology in the harness schema, and names its nodes', () => {
    const topology = [
      'topology:',
      '  zones: [{ name: sovereign, jurisdiction: DE, kind: sovereign, cidrs: [10.44.0.0/16] }]',
      '  services: [{ name: ups1, kind: ups, zone: sovereign }, { name: ups2, kind: ups, zone: sovereign }]',
      '  hosts: [{ name: vm1, zone: sovereign }]',
    ].join('\n');
    const message = problems(
      `${topology}\nschedule:\n  - at: 1s\n    fault: mains-failure\nchecks: [shutdown-logged]`,
    );
    expect(message).toContain(
      "schedule[0].params: fault mains-failure needs params.ups: one of this world's UPS simulators ups1, ups2",
    );
    const bad = problems(
      'topology:\n  zones: []\nschedule: [{ at: 1s, fault: kms-outage }]\nchecks: [shutdown-logged]',
    );
    expect(bad).toContain('line 2, topology.zones: declare at least one zone');
  });

  it('refuses key-wipe checks without a mains failure or a UPS trace, and checks of one evidence that disagree', () => {
    expect(problems(keyWipe('  - at: 1s\n    fault: hsm-cut'))).toContain(
      'line 3, schedule: the key-wipe checks judge a mains failure or a recorded UPS outage: add one to the schedule',
    );
    const disagree = problems(
      keyWipe(
        '  - at: 1s\n    fault: mains-failure',
        '  - keys-gone-from-memory\n  - check: shutdown-logged\n    params: { host: vm1 }\n  - keys-gone-from-memory',
      ),
    );
    expect(disagree).toContain(
      'line 9, checks[2]: check keys-gone-from-memory is named twice: name it once',
    );
  });

  it('needs the checks of one evidence to name the same host', () => {
    const text = [
      'topology:',
      '  zones: [{ name: sovereign, jurisdiction: DE, kind: sovereign, cidrs: [10.44.0.0/16] }]',
      '  hosts: [{ name: vm1, zone: sovereign }, { name: vm2, zone: sovereign }]',
      'schedule: [{ at: 1s, fault: mains-failure, params: { ups: ups1 } }]',
      'checks:',
      '  - check: keys-gone-from-memory',
      '    params: { host: vm1 }',
      '  - check: shutdown-logged',
      '    params: { host: vm2 }',
      '  - no-key-on-filesystems',
    ].join('\n');
    const message = problems(text);
    expect(message).toContain(
      'line 9, checks[1].params: the checks of one evidence (power-outage) judge one gathering: give the same params as checks[0] ({"host":"vm1"})',
    );
    expect(message).toContain(
      "line 10, checks[2].params: check no-key-on-filesystems needs params.host: one of this world's hosts vm1, vm2",
    );
    expect(message).toContain(
      'line 4, schedule[0].params: params.ups: this world has no UPS simulator named "ups1"',
    );
  });

  it('reads the HSM example, and needs each cut healed within the schedule with time to recover', () => {
    const hsmExample = join(
      import.meta.dirname,
      '..',
      '..',
      'examples',
      'incidents',
      'hsm-cut-under-load.yaml',
    );
    const incident = readIncident(readFileSync(hsmExample, 'utf8'), hsmExample, { scenarios });
    expect(incident.plan.faults.map((f) => [f.atMs, f.forMs])).toEqual([
      [3_000, 4_000],
      [13_000, 4_000],
    ]);
    expect(incident.plan.endMs).toBe(29_000);
    expect(incident.kits.map((k) => [k.kit.name, k.values])).toEqual([
      ['hsm-cut-load', { hsm: 'hsm-a' }],
    ]);
    expect(incident.mutants.map((m) => m.name)).toEqual([
      'software-key-fallback',
      'hsm-watch-slow',
      'read-cipher-cached',
      'loss-alarm-once-per-boot',
      'name-claimed-before-key',
    ]);
    const message = problems(
      'scenario: hsm-cable-cut\nschedule:\n  - at: 1s\n    fault: hsm-cut\n  - at: 5s\n    fault: hsm-cut\n    for: 2s\nchecks: [writes-refused-within-bound]',
    );
    expect(message).toContain(
      'line 3, schedule: schedule[0]: the HSM checks judge each cut up to its heal: give it a `for:`',
    );
    expect(message).toContain(
      'line 3, schedule: schedule[1]: the hosts have 12s after a heal to recover, and the schedule ends 0ms after this one: end it with a `wait:` long enough',
    );
    expect(
      problems(
        'scenario: hsm-cable-cut\nschedule: [{ at: 1s, fault: kms-outage }]\nchecks: [recovers-without-restart]',
      ),
    ).toContain('the HSM checks judge cuts of hsm-a: add one to the schedule');
  });

  it('reads the recorded UPS outage example: the trace alone is the outage the key-wipe checks judge', () => {
    const example = join(
      import.meta.dirname,
      '..',
      '..',
      'examples',
      'incidents',
      'recorded-ups-outage.yaml',
    );
    const incident = readIncident(readFileSync(example, 'utf8'), example, { scenarios });
    expect(incident.plan.faults.map((f) => [f.type, f.atMs])).toEqual([
      ['ups-trace', 1_000],
      ['machine-power-off', 20_000],
    ]);
    expect(incident.plan.faults[0]?.parameters['file']).toBe(
      join(dirname(example), 'traces', 'ups-outage.log'),
    );
  });

  it('reads the recorded thermal excursion example: a BMC trace judged by thermal-excursion’s checks and mutants', () => {
    const example = join(
      import.meta.dirname,
      '..',
      '..',
      'examples',
      'incidents',
      'recorded-thermal-excursion.yaml',
    );
    const incident = readIncident(readFileSync(example, 'utf8'), example, { scenarios });
    expect(incident.scenario).toBe('thermal-excursion');
    expect(incident.plan.faults.map((f) => [f.type, f.atMs, f.parameters])).toEqual([
      [
        'bmc-trace',
        1_000,
        {
          machine: 'rack1',
          file: join(dirname(example), 'traces', 'room-excursion.csv'),
          speedup: 60,
        },
      ],
    ]);
    // The trace starts 5 s after the fault and lasts 30 s at 60x: the schedule holds past its end.
    expect(incident.plan.endMs).toBe(39_000);
    expect(incident.checks.map((c) => [c.name, c.from, c.kit.name])).toEqual([
      ['alarm-above-27', 'thermal-excursion', 'thermal-alarms'],
      ['alarm-below-18', 'thermal-excursion', 'thermal-alarms'],
      ['ipmi-snmp-agree-with-model', 'thermal-excursion', 'thermal-alarms'],
      ['readings-pulled-by-host', 'thermal-excursion', 'thermal-alarms'],
    ]);
    expect(incident.kits.map((k) => [k.kit.name, k.values])).toEqual([
      ['thermal-alarms', { host: 'vm1' }],
    ]);
    expect(incident.contractBounds.map((b) => b.name)).toEqual(['thermalAlarmMs']);
    expect(incident.mutants.map((m) => [m.name, m.expectFailing])).toEqual([
      ['watcher-ignores-upper-bound', ['alarm-above-27']],
      ['alarm-debounced', ['alarm-above-27', 'alarm-below-18']],
      ['trap-receiver-beside-poller', ['readings-pulled-by-host']],
      ['log-stamps-local-time', ['alarm-above-27', 'alarm-below-18']],
    ]);
  });

  it('refuses the thermal alarm checks without a recorded BMC trace or a cooling failure to judge', () => {
    const thermal = (schedule: string) =>
      `scenario: thermal-excursion\nschedule:\n${schedule}\nchecks:\n  - alarm-above-27\n`;
    expect(problems(thermal('  - wait: 10s'))).toContain(
      'line 3, schedule: the thermal alarm checks judge a recorded BMC trace or a cooling failure: add a `bmc-trace` to the schedule',
    );
    // The model's own crossing, as in thermal-excursion: judged when it comes within the schedule.
    const cooled = read(thermal('  - at: 1s\n    fault: cooling-failure\n  - wait: 60s'));
    expect(cooled.plan.faults.map((f) => [f.type, f.parameters])).toEqual([
      ['cooling-failure', { machine: 'rack1', state: 'off' }],
    ]);
    const examples = join(import.meta.dirname, '..', '..', 'examples', 'incidents');
    const traced = readIncident(
      thermal('  - at: 1s\n    fault: bmc-trace\n    params: { file: traces/room-inlet.csv }'),
      join(examples, 'thermal-test.yaml'),
      { scenarios },
    );
    expect(traced.plan.faults[0]?.parameters['machine']).toBe('rack1');
  });

  it('takes recorded traces as faults, their files read from the incident file’s folder', () => {
    const examples = join(import.meta.dirname, '..', '..', 'examples', 'incidents');
    const text = keyWipe(
      [
        '  - at: 1s',
        '    fault: ups-trace',
        '    params: { file: traces/ups-outage.seq, speedup: 60 }',
        '    for: 10s',
        '  - at: 12s',
        '    fault: mains-failure',
        '  - at: 12s',
        '    fault: bmc-trace',
        '    params: { machine: rack1, file: traces/room-inlet.csv }',
      ].join('\n'),
    );
    const incident = readIncident(text, join(examples, 'traces-test.yaml'), { scenarios });
    expect(incident.plan.faults.map((f) => [f.type, f.atMs, f.parameters])).toEqual([
      [
        'ups-trace',
        1_000,
        { ups: 'ups1', file: join(examples, 'traces', 'ups-outage.seq'), speedup: 60 },
      ],
      ['mains-failure', 12_000, { ups: 'ups1' }],
      [
        'bmc-trace',
        12_000,
        { machine: 'rack1', file: join(examples, 'traces', 'room-inlet.csv'), speedup: undefined },
      ],
    ]);
  });

  it('names the incident’s line and the trace’s line of a malformed trace, and a trace that is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sovh-incident-trace-'));
    try {
      writeFileSync(join(dir, 'bad.seq'), 'ups.status: OL\nTIMER 5\nups.status OB\n');
      writeFileSync(join(dir, 'bad.csv'), 'timestamp,sensor,value\n0,Inlet Temp,21\n5,Fan1,900\n');
      const text = keyWipe(
        [
          '  - at: 1s',
          '    fault: mains-failure',
          '  - at: 2s',
          '    fault: ups-trace',
          '    params: { file: bad.seq }',
          '  - at: 2s',
          '    fault: bmc-trace',
          '    params: { file: bad.csv }',
          '  - at: 3s',
          '    fault: ups-trace',
          '    params: { file: missing.seq }',
        ].join('\n'),
      );
      let message = '';
      try {
        readIncident(text, join(dir, 'incident.yaml'), { scenarios });
      } catch (error) {
        message = isSovhError(error) ? error.message : String(error);
      }
      const lines = message.split('\n');
      expect(lines).toContain(
        `  line 7, schedule[1].params: ${join(dir, 'bad.seq')} line 3: "ups.status OB" is neither "variable: value" nor "TIMER <seconds>"; write a NUT variable and its value (ups.status: OB) or a wait (TIMER 30)`,
      );
      expect(lines).toContain(
        `  line 10, schedule[2].params: ${join(dir, 'bad.csv')} line 3: the BMC has no sensor "Fan1"; its sensors: "Inlet Temp" (inlet), "CPU Temp" (cpu), "Exhaust Temp" (exhaust)`,
      );
      expect(message).toMatch(
        new RegExp(
          `line 13, schedule\\[3\\]\\.params: params\\.file: cannot read ${join(dir, 'missing.seq')} \\(`,
        ),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says when the file is not YAML, or takes a built-in scenario’s name', () => {
    expect(problems('scenario: [\n')).toMatch(/^INCIDENT_SYNTAX\nincident.yaml is not valid YAML:/);
    expect(
      problems(`name: boot-binding\n${keyWipe('  - at: 1s\n    fault: mains-failure')}`),
    ).toContain('line 1, name: "boot-binding" is a built-in scenario\'s name');
  });
});
