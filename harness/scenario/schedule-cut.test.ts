import { describe, expect, it } from 'vitest';
import { lastObservation, type Check, type CheckResult } from '../checks/check.ts';
import { fail, pass } from '../checks/verdict.ts';
import type { CapabilityReport } from '../runtime/capabilities.ts';
import { quietContext } from '../testing/fake-hsm-world.ts';
import { isSovhError } from '../util/sovh-error.ts';
import type { World } from '../world/world.ts';
import { History } from './history.ts';
import { SeededRandom } from '../util/seeded-random.ts';
import {
  notJudgedAfterCut,
  scheduleCutProblems,
  ScheduleCutShort,
  stepSkippedObservation,
  trainCutObservation,
} from './schedule-cut.ts';

const noWorld = {} as unknown as World;
const capabilities: CapabilityReport = {
  probedAt: '',
  engine: { address: '', flavour: '', version: '', apiVersion: '', kernel: '' },
  entries: [],
};

describe('a schedule stopped after a step', () => {
  it('ends the step, then refuses every later step and fault, even in a schedule that catches', async () => {
    const history = new History();
    const context = quietContext(noWorld, history);
    context.stopAfterStep('two');
    const ran: string[] = [];
    await context.step('one', () => Promise.resolve(ran.push('one')));
    const cut = await context
      .step('two', () => Promise.resolve(ran.push('two')))
      .catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(ScheduleCutShort);
    expect(isSovhError(cut, 'SCHEDULE_CUT_SHORT')).toBe(true);
    const later = await context
      .step('three', () => Promise.resolve(ran.push('three')))
      .catch((e: unknown) => e);
    expect(later).toBeInstanceOf(ScheduleCutShort);
    const fault = await context
      .inject({ name: 'f', description: '', invoke: () => Promise.resolve(async () => {}) })
      .catch((e: unknown) => e);
    expect(fault).toBeInstanceOf(ScheduleCutShort);
    expect(ran).toEqual(['one', 'two']);
    expect(context.cutShortAfter).toBe('two');
    // The stopping step ended well, once; nothing after it was recorded.
    expect(history.events.map((e) => `${e.kind} ${e.name}`)).toEqual([
      'step one',
      'step-end one',
      'step two',
      'step-end two',
    ]);
    expect(history.events[3]?.data).toMatchObject({ ok: true });
  });

  it('does not stop on a step that failed', async () => {
    const context = quietContext(noWorld);
    context.stopAfterStep('two');
    const error = await context
      .step('two', () => Promise.reject(new Error('boom')))
      .catch((e: unknown) => e);
    expect(error).toEqual(new Error('boom'));
    expect(context.cutShortAfter).toBeUndefined();
  });
});

function result(name: string, status: CheckResult['status']): CheckResult {
  return { name, description: '', status, summary: status, durationMs: 0, evidenceAtMs: [1] };
}

describe('a schedule with steps left out', () => {
  it('records each skipped step instead of playing it, and plays the others', async () => {
    const history = new History();
    const context = quietContext(noWorld, history);
    context.skipSteps(['two']);
    const ran: string[] = [];
    await context.skippableStep('one', () => Promise.resolve(ran.push('one')));
    await context.skippableStep('two', () => Promise.resolve(ran.push('two')));
    await context.step('three', () => Promise.resolve(ran.push('three')));
    expect(ran).toEqual(['one', 'three']);
    expect(context.skippedSteps).toEqual(['two']);
    expect(context.unmetSkips()).toEqual([]);
    expect(history.events.map((e) => `${e.kind} ${e.name}`)).toEqual([
      'step one',
      'step-end one',
      `observation ${stepSkippedObservation}`,
      'step three',
      'step-end three',
    ]);
  });

  it('refuses to skip a step whose result later steps may use, and names a skip never reached', async () => {
    const context = quietContext(noWorld);
    context.skipSteps(['keys', 'renamed']);
    const error = await context.step('keys', () => Promise.resolve(1)).catch((e: unknown) => e);
    expect(isSovhError(error, 'STEP_NOT_SKIPPABLE')).toBe(true);
    expect(context.unmetSkips()).toEqual(['keys', 'renamed']);
  });

  it('stops after a step even when it left steps out before it', async () => {
    const context = quietContext(noWorld);
    context.skipSteps(['one']);
    context.stopAfterStep('two');
    await context.skippableStep('one', () => Promise.reject(new Error('played')));
    const cut = await context.step('two', () => Promise.resolve()).catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(ScheduleCutShort);
    const later = await context
      .skippableStep('three', () => Promise.resolve())
      .catch((e: unknown) => e);
    expect(later).toBeInstanceOf(ScheduleCutShort);
  });
});

describe('the verdicts of a cut-short mutant run', () => {
  it('keeps the named checks and judges no other', () => {
    const checks = notJudgedAfterCut(
      [result('named', 'fail'), result('other', 'pass'), result('third', 'fail')],
      ['named'],
      { afterStep: 'two' },
    );
    expect(checks.map((c) => c.status)).toEqual(['fail', 'unknown', 'unknown']);
    expect(checks[1]?.summary).toBe(
      'not judged: this mutant run stops after step "two", where the checks it names are decided',
    );
    expect(checks[1]?.evidenceAtMs).toEqual([]);
  });

  it('names the steps a run left out, and where it stopped', () => {
    const [, other] = notJudgedAfterCut(
      [result('named', 'fail'), result('other', 'pass')],
      ['named'],
      { skippedSteps: ['one', 'two'], afterStep: 'three' },
    );
    expect(other?.summary).toBe(
      'not judged: this mutant run leaves out step(s) "one", "two" and stops after step "three", where the checks it names are decided',
    );
  });

  it('says when the run played fewer faults of its trains', () => {
    const [, other] = notJudgedAfterCut(
      [result('named', 'fail'), result('other', 'pass')],
      ['named'],
      { trainFaults: 2 },
    );
    expect(other?.summary).toBe(
      'not judged: this mutant run plays 2 fault(s) of each fault train, on which the checks it names are decided',
    );
  });
});

describe("a fault train under a mutant's limit", () => {
  const plan = { holdsMs: [5, 5, 5, 5], gapMs: { min: 1, max: 1 } };
  const parts = (healed: number[]) => ({
    inject: () =>
      Promise.resolve(() => {
        healed.push(1);
        return Promise.resolve();
      }),
    gaps: new SeededRandom(1).stream('gaps'),
  });

  it('plays the first faults only, and records that it was cut', async () => {
    const history = new History();
    const context = quietContext(noWorld, history);
    context.limitFaultTrains(2);
    const healed: number[] = [];
    const windows = await context.faultTrain(plan, parts(healed));
    expect(windows).toHaveLength(2);
    expect(healed).toHaveLength(2);
    expect(context.faultTrainCut).toBe(true);
    expect(history.events.find((e) => e.name === trainCutObservation)?.data).toEqual({
      planned: 4,
      played: 2,
    });
  });

  it('plays the whole train when the limit is not below its length, and without one', async () => {
    for (const limit of [4, 9, undefined]) {
      const context = quietContext(noWorld, new History());
      if (limit !== undefined) context.limitFaultTrains(limit);
      expect(await context.faultTrain(plan, parts([]))).toHaveLength(4);
      expect(context.faultTrainCut).toBe(false);
    }
  });

  it('refuses a limit that is no whole number of faults', () => {
    const context = quietContext(noWorld, new History());
    for (const bad of [0, -1, 1.5, Number.NaN])
      expect(() => {
        context.limitFaultTrains(bad);
      }).toThrow(/trainFaults must be a whole number of faults, 1 or more/);
  });
});

/** A reference run: step one observes x, step two observes y inside a nested step, step three twice. */
async function referenceRun(): Promise<History> {
  const history = new History();
  const context = quietContext(noWorld, history);
  await context.step('one', () => Promise.resolve(context.observe('x', 1)));
  await context.step('two', () =>
    context.step('inner', () => Promise.resolve(context.observe('y', 2))),
  );
  await context.step('three', () => Promise.resolve());
  await context.step('three', () => Promise.resolve());
  await context.step('broken', () => Promise.reject(new Error('no'))).catch(() => undefined);
  return history;
}

const readsX: Check = {
  name: 'reads-x',
  description: '',
  verify: (h) => pass(`x is ${String(lastObservation<number>(h, 'x').data)}`),
};
/** Passes while y is absent too: only the name it asked for shows it depends on step two. */
const noYAbove5: Check = {
  name: 'no-y-above-5',
  description: '',
  verify: (h) => (h.observations<number>('y').some((e) => e.data > 5) ? fail('y > 5') : pass('ok')),
};
/** Reads the events without asking by name: only the word-for-word comparison sees it. */
const countsEvents: Check = {
  name: 'counts-events',
  description: '',
  verify: (h) => pass(`${h.events.length} events`),
};
const alwaysFails: Check = { name: 'always-fails', description: '', verify: () => fail('no') };

async function problemsOf(expectFailing: string[], stopAfterStep: string): Promise<string[]> {
  const history = await referenceRun();
  return scheduleCutProblems(
    {
      name: 'demo',
      checks: [readsX, noYAbove5, countsEvents, alwaysFails],
      mutants: [{ name: 'm', expectFailing, stopAfterStep }],
    },
    { history: history.events, attachments: history.attachments },
    capabilities,
  );
}

describe('proving a cut on the reference run', () => {
  it('accepts a step after which the named checks have all their evidence', async () => {
    expect(await problemsOf(['reads-x'], 'one')).toEqual([]);
    expect(await problemsOf(['reads-x', 'no-y-above-5'], 'two')).toEqual([]);
  });

  it('refuses a check that asks for an event recorded after the step, found or not', async () => {
    expect(await problemsOf(['no-y-above-5'], 'one')).toEqual([
      expect.stringMatching(
        /^demo mutant m stops after step "one": check no-y-above-5 reads observation "y", recorded at \+\d+ ms, after the step ended/,
      ),
    ]);
  });

  it('refuses a check whose verdict on the cut history differs, however it read it', async () => {
    const [problem] = await problemsOf(['counts-events'], 'one');
    expect(problem).toMatch(
      /check counts-events judges the cut history otherwise: "pass: 3 events" instead of "pass: 14 events"/,
    );
  });

  it('refuses a step that is absent, repeated, failed or not alone, and a check that did not pass', async () => {
    expect(await problemsOf(['reads-x'], 'nowhere')).toEqual([
      'demo mutant m stops after step "nowhere": no such step in the reference run',
    ]);
    expect(await problemsOf(['reads-x'], 'three')).toEqual([
      'demo mutant m stops after step "three": the step ran 2 times in the reference run; a cut needs a step that runs once',
    ]);
    expect(await problemsOf(['reads-x'], 'broken')).toEqual([
      'demo mutant m stops after step "broken": the step failed in the reference run',
    ]);
    expect(await problemsOf(['reads-x'], 'inner')).toEqual([
      'demo mutant m stops after step "inner": step "two" was still running when it ended; a cut needs a step that runs alone',
    ]);
    expect(await problemsOf(['always-fails'], 'one')).toEqual([
      'demo mutant m stops after step "one": check always-fails did not pass on the reference run (fail: no), so the cut cannot be proved on it',
    ]);
  });
});
