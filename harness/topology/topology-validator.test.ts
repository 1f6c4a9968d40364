import { describe, expect, it } from 'vitest';
import { TopologyError } from './topology-error.ts';
import type { TopologyInput } from './topology-schema.ts';
import { resolveTopology } from './topology-validator.ts';

const context = { knownServiceKinds: ['kms', 'hsm'], source: 'test topology' };
const zones: TopologyInput['zones'] = [
  { name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.40.0.0/16'] },
  { name: 'foreign', jurisdiction: 'US', kind: 'foreign', cidrs: ['10.80.0.0/16'] },
];

function problemsOf(input: TopologyInput): string[] {
  try {
    resolveTopology(input, context);
  } catch (error) {
    if (error instanceof TopologyError)
      return error.problems.map((p) => `${p.path}: ${p.problem}; ${p.fix}`);
    throw error;
  }
  return [];
}

describe('topology validation', () => {
  it('gives every host a machine, implicit when none is named', () => {
    const topology = resolveTopology(
      {
        zones,
        machines: [{ name: 'spare', zone: 'foreign' }],
        hosts: [
          { name: 'vm1', zone: 'sovereign' },
          { name: 'vm2', machine: 'spare' },
        ],
      },
      context,
    );
    expect(topology.hosts.map((h) => [h.name, h.machine, h.zone])).toEqual([
      ['vm1', 'vm1-machine', 'sovereign'],
      ['vm2', 'spare', 'foreign'],
    ]);
    expect(topology.machines.map((m) => m.name)).toEqual(['spare', 'vm1-machine']);
  });

  it('names the field and the fix for unknown references and a host in no zone', () => {
    const problems = problemsOf({
      zones,
      cells: [{ name: 'cell-a', zone: 'mars' }],
      hosts: [{ name: 'vm1', machine: 'nowhere' }, { name: 'vm2' }],
      services: [{ name: 'kms1', kind: 'kmip', zone: 'sovereign' }],
    });
    expect(problems).toContain(
      'cells[0].zone: unknown zone "mars"; use one of: sovereign, foreign',
    );
    expect(problems).toContain(
      'hosts[0].machine: unknown machine "nowhere"; declare it under machines or use one of: (none declared)',
    );
    expect(problems).toContain('hosts[1]: host "vm2" is in no zone; give it a zone or a machine');
    expect(problems).toContain(
      'services[0].kind: unknown simulator kind "kmip"; use one of: kms, hsm',
    );
  });

  it('rejects overlapping, public and malformed CIDRs', () => {
    const problems = problemsOf({
      zones: [
        { name: 'a', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.40.0.0/16', '8.8.8.0/24'] },
        { name: 'b', jurisdiction: 'US', kind: 'foreign', cidrs: ['10.40.128.0/17', '10.1.2.3/8'] },
      ],
    });
    expect(problems).toEqual([
      'zones[0].cidrs[1]: 8.8.8.0/24 is not a private range; use addresses inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16',
      'zones[1].cidrs[0]: 10.40.128.0/17 overlaps 10.40.0.0/16 of zone "a"; give each zone its own address range',
      'zones[1].cidrs[1]: "10.1.2.3/8" has host bits set; the network is 10.0.0.0/8; write it as a network address and prefix',
    ]);
  });

  it('rejects duplicate names, two hosts on one machine and a cell in another zone', () => {
    const problems = problemsOf({
      zones,
      cells: [{ name: 'cell-a', zone: 'foreign' }],
      machines: [{ name: 'm1', zone: 'sovereign' }],
      hosts: [
        { name: 'vm1', machine: 'm1', cell: 'cell-a' },
        { name: 'vm1', machine: 'm1' },
      ],
    });
    expect(problems).toContain(
      'hosts[1]: the name "vm1" is already used by hosts[0]; give every zone, cell, machine, host and service its own name',
    );
    expect(problems).toContain(
      'hosts[1].machine: machine "m1" already runs host "vm1"; give each host its own machine; a machine runs one host at a time',
    );
    expect(problems).toContain(
      'hosts[0].cell: cell "cell-a" is in zone "foreign", the host in "sovereign"; put the host in its cell\'s zone',
    );
  });

  it('reports schema problems (bad names, unknown keys) by path', () => {
    const problems = problemsOf({
      zones: [
        {
          name: 'Bad_Name',
          jurisdiction: 'Germany',
          kind: 'sovereign',
          cidrs: ['10.0.0.0/8'],
          extra: 1,
        } as never,
      ],
    });
    expect(problems.some((p) => p.startsWith('zones[0].name:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('zones[0].jurisdiction:'))).toBe(true);
    expect(problems.some((p) => p.includes('remove the key or check its spelling'))).toBe(true);
  });
});
