import type { ScenarioCatalog } from '../scenario/scenario-catalog.ts';
import type { Scenario } from '../scenario/scenario.ts';
import type { StackRecord } from '../stack/stack-resolver.ts';
import { SovhError } from '../util/sovh-error.ts';

/** One line naming the stack under test by its source, image id and declared sections. */
export function stackSummaryLine(stack: StackRecord | undefined): string {
  if (stack === undefined) return 'stack: not recorded';
  const digests = stack.repoDigests.length === 0 ? '' : `, ${stack.repoDigests.join(', ')}`;
  const archive =
    stack.archiveSha256 === undefined ? '' : `, archive sha256:${stack.archiveSha256}`;
  return `stack: ${stack.source}: image ${stack.id}${digests}${archive}; sections (${stack.sectionsDeclaredBy}): ${stack.sections.join(', ')}`;
}

/**
 * Says that the built-in scenarios' mutants, patches against the reference stack, do not run
 * against another stack. With a mutant's name (`--mutant`), asking for one of them is bad input.
 */
export function describeWithheldMutants(
  catalog: ScenarioCatalog,
  scenarios: readonly Scenario[],
  mutantName?: string,
): string | undefined {
  const unique = [...new Set(scenarios)];
  const withheld = unique.flatMap((s) =>
    (catalog.withheldMutants.get(s.name) ?? []).map((m) => ({ scenario: s.name, mutant: m.name })),
  );
  if (mutantName !== undefined) {
    const asked = withheld.find((w) => w.mutant === mutantName);
    if (asked === undefined) return undefined;
    throw new SovhError(
      'MUTANT_NOT_FOR_THIS_STACK',
      `mutant ${mutantName} of ${asked.scenario} is a patch against the reference stack (images/host) and does not run against another stack; declare your stack's own mutants in sovh.config.ts (\`mutants\`)`,
    );
  }
  if (withheld.length === 0) return undefined;
  return `the built-in scenarios' ${withheld.length} mutant(s) are patches against the reference stack and are not run against this stack; its own mutants (sovh.config.ts \`mutants\`) are`;
}
