import { resolve } from 'node:path';
import type { ScenarioCatalog } from '../../harness/scenario/scenario-catalog.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import { scenarios as builtInScenarios } from '../index.ts';
import { isIncidentFile, loadIncidentFile } from './incident-file.ts';
import { incidentScenario } from './incident-scenario.ts';

/**
 * `sovh run` names: incident files (a path ending .yaml or .yml) are read, checked (every problem
 * at once, before any slow work) and join the catalog as scenarios; the names come back with each
 * file replaced by its incident's name.
 */
export async function withIncidents(
  names: readonly string[],
  catalog: ScenarioCatalog,
  referenceStack: boolean,
): Promise<{ names: string[]; catalog: ScenarioCatalog; files: string[] }> {
  const files = names.filter(isIncidentFile);
  if (files.length === 0) return { names: [...names], catalog, files: [] };
  const scenarios = [...catalog.scenarios];
  const origins = new Map(catalog.origins);
  const byFile = new Map<string, string>();
  for (const file of files) {
    const incident = await loadIncidentFile(file, {
      scenarios: builtInScenarios,
      referenceStack,
    });
    if (origins.has(incident.name))
      throw new SovhError(
        'INCIDENT_NAME_TAKEN',
        `${incident.file}: the name "${incident.name}" is taken by ${origins.get(incident.name) === 'built-in' ? 'a built-in scenario' : 'another scenario or incident'}; give the incident its own \`name:\``,
      );
    scenarios.push(incidentScenario(incident));
    origins.set(incident.name, { file: incident.file });
    byFile.set(file, incident.name);
  }
  return {
    names: names.map((n) => byFile.get(n) ?? n),
    catalog: { ...catalog, scenarios, origins },
    // Absolute, so that a replay from another directory finds them.
    files: files.map((f) => resolve(f)),
  };
}
