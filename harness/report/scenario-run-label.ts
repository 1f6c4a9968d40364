import type { ScenarioResult } from '../scenario/scenario-result.ts';

/** "boot-binding", or "boot-binding [mutant kek-plain-file]". */
export function runLabel(result: Pick<ScenarioResult, 'scenario' | 'mutant'>): string {
  return result.mutant === undefined
    ? result.scenario
    : `${result.scenario} [mutant ${result.mutant.name}]`;
}

/**
 * File-name-safe ids of a report's scenario runs, unique within it even when a scenario runs
 * twice: "boot-binding", "boot-binding--kek-plain-file", "boot-binding-2". Used for the report's
 * anchors and the evidence bundle's folders.
 */
export function runSlugs(
  results: readonly Pick<ScenarioResult, 'scenario' | 'mutant'>[],
): string[] {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, '-');
  const used = new Set<string>();
  return results.map((result) => {
    const base =
      result.mutant === undefined
        ? safe(result.scenario)
        : `${safe(result.scenario)}--${safe(result.mutant.name)}`;
    let slug = base;
    for (let n = 2; used.has(slug); n += 1) slug = `${base}-${n}`;
    used.add(slug);
    return slug;
  });
}
