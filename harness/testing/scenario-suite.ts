import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelKeys } from '../runtime/labels.ts';
import { currentProcessIdentity, formatIdentity } from '../runtime/process-identity.ts';
import { prepareEnvironment, type RunEnvironment } from '../scenario/environment.ts';
import type { ScenarioResult } from '../scenario/scenario-result.ts';
import { runScenario } from '../scenario/scenario-runner.ts';
import { scheduleCutProblems } from '../scenario/schedule-cut.ts';
import type { Mutant, Scenario } from '../scenario/scenario.ts';
import { consoleLogger } from '../util/log.ts';
import { leftoverSessions } from './docker-test-kit.ts';

function checkTable(result: ScenarioResult): string {
  return result.checks.map((c) => `  ${c.status.padEnd(14)} ${c.name}: ${c.summary}`).join('\n');
}

/** The mutants that leave steps out, grouped by the steps they leave out. */
function skipGroups(mutants: readonly Mutant[]): { skipSteps: string[]; mutants: Mutant[] }[] {
  const groups = new Map<string, { skipSteps: string[]; mutants: Mutant[] }>();
  for (const mutant of mutants) {
    if (mutant.skipSteps === undefined) continue;
    const skipSteps = [...mutant.skipSteps].sort();
    const key = JSON.stringify(skipSteps);
    const group = groups.get(key) ?? { skipSteps, mutants: [] };
    group.mutants.push(mutant);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/**
 * The tests of one scenario: it passes against the reference stack, and each mutant makes the
 * checks it names fail. Afterwards nothing of this process's runs is left in the engine.
 */
export function describeScenario(scenario: Scenario): void {
  describe(`scenario ${scenario.name}`, () => {
    let environment: RunEnvironment;
    /** The reference run, when it passed: the mutants' schedule cuts are proved on its history. */
    let passingReference: ScenarioResult | undefined;

    beforeAll(async () => {
      environment = await prepareEnvironment({ log: consoleLogger() });
    });

    afterAll(async () => {
      const owner = formatIdentity(currentProcessIdentity());
      const leftovers = await leftoverSessions(
        environment.engine.docker,
        environment.namespace,
        owner,
      );
      expect(
        leftovers,
        `resources left by this test process (label ${labelKeys.owner}=${owner})`,
      ).toEqual([]);
    });

    it('passes every check against the reference stack', async (context) => {
      const result = await runScenario(scenario, environment);
      const notApplicable = result.checks.filter((c) => c.status === 'not-applicable');
      if (notApplicable.length === result.checks.length)
        context.skip(`not applicable: ${result.reason ?? ''}`);
      const message = `${scenario.name} against the reference stack:\n${checkTable(result)}\n${result.reason ?? ''}`;
      expect(
        result.checks.filter((c) => c.status === 'fail' || c.status === 'unknown'),
        message,
      ).toEqual([]);
      expect(result.status, message).not.toBe('error');
      if (notApplicable.length > 0) {
        await context.annotate(
          `not applicable here: ${notApplicable.map((c) => `${c.name} (${c.summary})`).join('; ')}`,
        );
      } else passingReference = result;
    });

    const playingEveryStep = scenario.mutants.filter((m) => m.skipSteps === undefined);
    if (playingEveryStep.some((m) => m.stopAfterStep !== undefined)) {
      it('stops each mutant only after the step where the checks it names are decided', async (context) => {
        if (passingReference === undefined) {
          context.skip('no passing reference run here to prove the cuts on');
          return;
        }
        expect(
          await scheduleCutProblems(
            { ...scenario, mutants: playingEveryStep },
            passingReference,
            environment.capabilities,
          ),
        ).toEqual([]);
      });
    }

    for (const group of skipGroups(scenario.mutants)) {
      const named = [...new Set(group.mutants.flatMap((m) => m.expectFailing))];
      it(`passes ${named.join(', ')} without step(s) ${group.skipSteps.map((s) => `"${s}"`).join(', ')}, the schedule of mutant(s) ${group.mutants.map((m) => m.name).join(', ')}, and decides them where they stop`, async (context) => {
        if (passingReference === undefined) {
          context.skip('the reference stack did not pass the whole schedule here');
          return;
        }
        const control = await runScenario(scenario, environment, {
          controlSchedule: { skipSteps: group.skipSteps, judged: named },
        });
        const message = `${scenario.name} against the reference stack without ${group.skipSteps.join(', ')}:\n${checkTable(control)}\n${control.reason ?? ''}`;
        expect(control.reason, message).toBeUndefined();
        expect(
          control.checks.filter((c) => named.includes(c.name) && c.status !== 'pass'),
          message,
        ).toEqual([]);
        expect(
          await scheduleCutProblems(
            { ...scenario, mutants: group.mutants },
            control,
            environment.capabilities,
          ),
        ).toEqual([]);
      });
    }

    for (const mutant of scenario.mutants) {
      it(`fails ${mutant.expectFailing.join(', ')} on mutant ${mutant.name}`, async (context) => {
        const result = await runScenario(scenario, environment, { mutant: mutant.name });
        const inapplicable = result.checks.filter(
          (c) => mutant.expectFailing.includes(c.name) && c.status === 'not-applicable',
        );
        if (inapplicable.length > 0)
          context.skip(inapplicable.map((c) => `${c.name}: ${c.summary}`).join('; '));
        expect(
          result.mutant?.verdict,
          `${scenario.name} on mutant ${mutant.name} must fail ${mutant.expectFailing.join(', ')} (${result.mutant?.verdictDetail ?? ''}):\n${checkTable(result)}`,
        ).toBe('caught');
      });
    }
  });
}
