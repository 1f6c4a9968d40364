import type { CheckResult } from '../checks/check.ts';
import type { ContractSection } from '../contract/contract-sections.ts';
import type { Scenario } from './scenario.ts';

/** The contract sections a scenario needs that the stack under test does not declare. */
export function undeclaredSections(
  scenario: Pick<Scenario, 'sections'>,
  declared: readonly ContractSection[],
): ContractSection[] {
  return (scenario.sections ?? []).filter((section) => !declared.includes(section));
}

/** Why a scenario does not apply to the stack, as every report says it. */
export function sectionsReason(undeclared: readonly ContractSection[]): string {
  return `stack does not implement ${undeclared.join(', ')}`;
}

/**
 * The checks of a scenario that cannot apply to the stack: each "not applicable", naming the
 * sections. Never a pass; `--strict` fails them.
 */
export function notImplementedChecks(
  scenario: Pick<Scenario, 'checks'>,
  undeclared: readonly ContractSection[],
): CheckResult[] {
  return scenario.checks.map((check) => ({
    name: check.name,
    description: check.description,
    status: 'not-applicable',
    summary: `not applicable: ${sectionsReason(undeclared)}`,
    durationMs: 0,
    evidenceAtMs: [],
  }));
}
