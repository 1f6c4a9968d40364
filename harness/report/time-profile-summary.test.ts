import { describe, expect, it } from 'vitest';
import type { TimeProfile } from '../util/time-profile.ts';
import { renderTimeProfile, sumProfiles, topPhases } from './time-profile-summary.ts';
import { timeProfilePart } from './html/time-profile-part.ts';

const profileA: TimeProfile = {
  phases: [
    { phase: 'bring-up', wallMs: 3_000, cpuMs: 100 },
    { phase: 'schedule', wallMs: 20_000, cpuMs: 300 },
    { phase: 'teardown', wallMs: 1_500, cpuMs: 40 },
  ],
  engineCalls: [
    { kind: 'exec', count: 10, totalMs: 2_000, maxMs: 400 },
    { kind: 'container start', count: 4, totalMs: 1_600, maxMs: 500 },
  ],
  engineRequests: 60,
  engineWaitMs: 4_000,
  cpu: { userMs: 400, systemMs: 50 },
};
const profileB: TimeProfile = {
  phases: [
    { phase: 'bring-up', wallMs: 2_000, cpuMs: 50 },
    { phase: 'schedule', wallMs: 5_000, cpuMs: 100 },
  ],
  engineCalls: [
    { kind: 'container start', count: 2, totalMs: 1_000, maxMs: 700 },
    { kind: 'container remove', count: 3, totalMs: 300, maxMs: 120 },
  ],
  engineRequests: 30,
  engineWaitMs: 1_000,
  cpu: { userMs: 100, systemMs: 10 },
};

describe('sumProfiles', () => {
  it('adds phases by name and calls by kind, keeping the longest call', () => {
    const totals = sumProfiles([
      { durationMs: 25_000, profile: profileA },
      { durationMs: 7_500, profile: profileB },
    ]);
    expect(totals.runs).toBe(2);
    expect(totals.wallMs).toBe(32_500);
    expect(totals.phases).toEqual([
      { phase: 'bring-up', wallMs: 5_000, cpuMs: 150 },
      { phase: 'schedule', wallMs: 25_000, cpuMs: 400 },
      { phase: 'teardown', wallMs: 1_500, cpuMs: 40 },
    ]);
    expect(totals.engineCalls).toEqual([
      { kind: 'container start', count: 6, totalMs: 2_600, maxMs: 700 },
      { kind: 'exec', count: 10, totalMs: 2_000, maxMs: 400 },
      { kind: 'container remove', count: 3, totalMs: 300, maxMs: 120 },
    ]);
    expect(totals.engineRequests).toBe(90);
    expect(totals.engineWaitMs).toBe(5_000);
    expect(totals.cpuMs).toBe(560);
    expect(topPhases(totals, 2).map((p) => p.phase)).toEqual(['schedule', 'bring-up']);
  });

  it('leaves out runs written before profiles existed', () => {
    const totals = sumProfiles([{ durationMs: 9_000 }, { durationMs: 7_500, profile: profileB }]);
    expect(totals.runs).toBe(1);
    expect(totals.wallMs).toBe(7_500);
  });
});

describe('renderTimeProfile', () => {
  it('prints the largest phases and engine calls first', () => {
    const text = renderTimeProfile(
      {
        scenarios: [
          { durationMs: 25_000, profile: profileA },
          { durationMs: 7_500, profile: profileB },
        ] as never,
      },
      2,
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe('where the time went (2 scenario run(s), 32.5 s; harness CPU 560 ms):');
    expect(lines[1]).toMatch(/^ {2}phase +wall +share +harness CPU$/);
    expect(lines[2]).toMatch(/^ {2}schedule +25\.0 s +77 % +400 ms$/);
    expect(lines[3]).toMatch(/^ {2}bring-up +5\.0 s +15 % +150 ms$/);
    expect(lines[4]).toMatch(/^ {2}engine call +count +total +max +mean$/);
    expect(lines[5]).toMatch(/^ {2}container start +6 +2\.6 s +700 ms +433 ms$/);
    expect(lines[6]).toMatch(/^ {2}exec +10 +2\.0 s +400 ms +200 ms$/);
    expect(lines[7]).toMatch(
      /90 engine requests; waiting on the engine 5\.0 s \(15 % of the wall time\)/,
    );
    expect(lines).toHaveLength(8);
  });

  it('prints nothing for results without profiles', () => {
    expect(renderTimeProfile({ scenarios: [{ durationMs: 1 }] as never })).toBe('');
  });
});

describe('timeProfilePart', () => {
  it('shows every phase and every engine call, escaped', () => {
    const html = timeProfilePart(
      sumProfiles([
        {
          durationMs: 25_000,
          profile: {
            ...profileA,
            engineCalls: [
              ...profileA.engineCalls,
              { kind: '<odd>', count: 1, totalMs: 1, maxMs: 1 },
            ],
          },
        },
      ]),
    ).value;
    expect(html).toContain('data-phase="teardown"');
    expect(html).toContain('<td class="num">20.0 s</td>');
    expect(html).toContain('data-call="container start"');
    expect(html).toContain('&lt;odd&gt;');
    expect(html).not.toContain('<odd>');
  });

  it('says when a run has no profile', () => {
    expect(timeProfilePart(sumProfiles([{ durationMs: 1 }])).value).toContain(
      'No time profile recorded',
    );
  });
});
