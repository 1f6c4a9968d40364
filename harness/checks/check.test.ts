import { describe, expect, it } from 'vitest';
import type { CapabilityReport } from '../runtime/capabilities.ts';
import { History } from '../scenario/history.ts';
import { lastObservation, runChecks, type Check } from './check.ts';
import { pass } from './verdict.ts';

const capabilities: CapabilityReport = {
  probedAt: '2026-01-01T00:00:00Z',
  engine: {
    address: 'unix:///x',
    flavour: 'docker',
    version: '1',
    apiVersion: '1.41',
    kernel: 'k',
  },
  entries: [
    { name: 'vxlan', available: true, detail: '' },
    { name: 'netem', available: false, detail: 'unknown qdisc' },
  ],
};

describe('runChecks', () => {
  it('gives pass, not applicable by capability name, and unknown for a crashing or evidence-less checker', async () => {
    const history = new History();
    history.record('observation', 'probe', { ok: true });
    const checks: Check[] = [
      {
        name: 'passes',
        description: '',
        verify: (h) => pass(`saw ${String(lastObservation<{ ok: boolean }>(h, 'probe').data.ok)}`),
      },
      { name: 'needs-netem', description: '', needs: ['netem'], verify: () => pass('never asked') },
      {
        name: 'crashes',
        description: '',
        verify: () => {
          throw new Error('boom');
        },
      },
      {
        name: 'no-evidence',
        description: '',
        verify: (h) => pass(String(lastObservation(h, 'never-recorded').data)),
      },
    ];
    const results = await runChecks(checks, history, capabilities);
    expect(results.map((r) => [r.name, r.status, r.summary])).toEqual([
      ['passes', 'pass', 'saw true'],
      ['needs-netem', 'not-applicable', 'not applicable: netem missing'],
      ['crashes', 'unknown', 'checker could not decide: boom'],
      [
        'no-evidence',
        'unknown',
        'checker could not decide: no "never-recorded" observation in the history (the run did not get that far)',
      ],
    ]);
  });

  it('records when the evidence a verdict read was taken', async () => {
    const history = new History();
    const event = history.record('observation', 'probe', { ok: true });
    const [result] = await runChecks(
      [
        {
          name: 'reads',
          description: '',
          verify: (h) => pass(String(lastObservation(h, 'probe').seq)),
        },
      ],
      history,
      capabilities,
    );
    expect(result?.evidenceAtMs).toEqual([event.atMs]);
  });

  it('makes every check not applicable when the scenario itself lacks a capability', async () => {
    const results = await runChecks(
      [{ name: 'any', description: '', verify: () => pass('x') }],
      new History(),
      capabilities,
      ['vlan-8021q'],
    );
    expect(results[0]?.status).toBe('not-applicable');
    expect(results[0]?.summary).toBe('not applicable: vlan-8021q missing');
  });
});
