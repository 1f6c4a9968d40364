import { describe, expect, it } from 'vitest';
import { renderUpSummary, renderWorldStatus, type ReportedStatus } from './live-output.ts';

const status: ReportedStatus = {
  name: 'pw',
  scenario: 'power-failure-key-wipe',
  state: 'up',
  sessionId: 'a1b2c3d4',
  pid: 4242,
  startedAt: '2026-12-02T10:00:00.000Z',
  seed: 31_337,
  log: '/tmp/sovh-worlds-0/default/pw/supervisor.log',
  faults: [
    {
      name: 'mains-failure-ups1',
      type: 'mains-failure',
      parameters: { ups: 'ups1' },
      description: 'the mains feeding UPS ups1 fail',
      since: '2026-12-02T10:01:00.000Z',
      healsAt: '2026-12-02T10:01:30.000Z',
    },
  ],
  model: {
    modelS: 1200,
    speedup: 20,
    thermal: [
      {
        machine: 'rack1',
        bmc: 'rack1-bmc',
        cooling: 'off',
        loadKw: 1.2,
        inletC: 29.4,
        cpuC: 77.1,
        exhaustC: 43.8,
        criticalC: { inlet: 40, cpu: 95, exhaust: 60 },
      },
    ],
    ups: [{ ups: 'ups1', mains: false, status: 'OB LB', chargePercent: 41.5, runtimeS: 124 }],
  },
  nodes: [
    { name: 'vm1', role: 'host', zone: 'sovereign', address: '10.44.0.20', detail: 'on rack1' },
  ],
};

describe('live world output', () => {
  it('shows the seed, the faults in force, the thermal model and the UPS', () => {
    const text = renderWorldStatus(status, Date.parse('2026-12-02T10:01:10.000Z'));
    expect(text).toContain(
      'world pw (power-failure-key-wipe): up, session a1b2c3d4, supervisor pid 4242, up 1m10s, model time 1200s at 20x, seed 31337',
    );
    expect(text).toContain(
      'mains-failure-ups1 (mains-failure) since 10:01:00, heals in 20s: the mains feeding UPS ups1 fail',
    );
    expect(text).toContain(
      'thermal rack1: inlet 29.4 C, cpu 77.1 C, exhaust 43.8 C (cooling off, load 1.2 kW; trips at cpu 95 C)',
    );
    expect(text).toContain('ups ups1: OB LB, charge 41.5 %, runtime 124 s, mains off');
  });

  it('says no fault is in force, and up names the commands that work on the world', () => {
    const text = renderUpSummary({ ...status, faults: [] });
    expect(text).toContain('faults in force: none');
    expect(text).toContain('npx sovh inject pw FAULT');
    expect(text).toContain('npx sovh exec -it vm1');
    expect(text).toContain('npx sovh down pw');
  });
});
