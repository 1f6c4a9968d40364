import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { fieldPath } from '../../harness/config/config-file.ts';
import type { ContractBound } from '../../harness/contract/contract-bounds.ts';
import type { ContractSection } from '../../harness/contract/contract-sections.ts';
import type { WorldNodes } from '../../harness/faults/fault-parameters.ts';
import { faultType, resolveParameters } from '../../harness/faults/fault-registry.ts';
import { topologyNodes } from '../../harness/faults/world-nodes.ts';
import type { Capability } from '../../harness/runtime/capabilities.ts';
import type { Mutant, Scenario } from '../../harness/scenario/scenario.ts';
import { knownSimKinds } from '../../sims/registry.ts';
import { TopologyError } from '../../harness/topology/topology-error.ts';
import type { TopologyInput } from '../../harness/topology/topology-schema.ts';
import { resolveTopology } from '../../harness/topology/topology-validator.ts';
import { describeError, SovhError } from '../../harness/util/sovh-error.ts';
import { checkType } from './check-registry.ts';
import { asField, durationMs, locator, zodProblems, type Path } from './incident-problems.ts';
import type { CheckType, EvidenceKit, IncidentPlan, PlannedFault } from './evidence-kit.ts';
import {
  checkEntrySchema,
  faultEntrySchema,
  incidentFields,
  incidentSchema,
  waitEntrySchema,
} from './incident-schema.ts';

/** An incident file, read and checked: everything a run needs, nothing left to fail on input. */
export interface IncidentDefinition {
  file: string;
  name: string;
  description: string;
  /** The built-in scenario whose topology it takes, if it names one. */
  scenario?: string;
  topology: TopologyInput;
  plan: IncidentPlan;
  checks: readonly CheckType[];
  kits: readonly { kit: EvidenceKit; values: Readonly<Record<string, unknown>> }[];
  mutants: readonly Mutant[];
  needs: readonly Capability[];
  sections: readonly ContractSection[];
  contractBounds: readonly ContractBound[];
}

export interface IncidentOptions {
  /** The built-in scenarios, whose names and topologies an incident may take. */
  scenarios: readonly Scenario[];
  /** Whether the stack under test is the reference stack: only then do built-in mutants apply. */
  referenceStack?: boolean;
}

/** Whether a `sovh run` argument names an incident file rather than a scenario. */
export function isIncidentFile(argument: string): boolean {
  return /\.ya?ml$/i.test(argument);
}

const builtInNames = (options: IncidentOptions) => options.scenarios.map((s) => s.name);

/**
 * Reads an incident file's text. Every problem is collected, each with its line and field and the
 * fix, and all are thrown at once (INCIDENT_INVALID); a file that is not YAML is INCIDENT_SYNTAX.
 */
export function readIncident(
  text: string,
  file: string,
  options: IncidentOptions,
): IncidentDefinition {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length > 0)
    throw new SovhError(
      'INCIDENT_SYNTAX',
      `${file} is not valid YAML:\n${doc.errors.map((e) => `  ${e.message.split('\n')[0] ?? ''}`).join('\n')}`,
    );
  const where = locator(doc, lines);
  const lineOf = (path: Path) => Number(/^line (\d+)/.exec(where(path))?.[1] ?? 0);
  const problems: { path: Path; problem: string }[] = [];
  const problem = (path: Path, text: string) => problems.push({ path, problem: text });
  const value: unknown = doc.toJS();

  const top = incidentSchema.safeParse(value ?? {});
  if (!top.success) problems.push(...zodProblems(top.error.issues, [], incidentFields));
  const raw = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;

  // The world: a built-in scenario's topology, or the file's own.
  let topology: TopologyInput | undefined;
  let base: Scenario | undefined;
  if (raw['scenario'] !== undefined && raw['topology'] !== undefined)
    problem(['scenario'], 'give either `scenario` or `topology`, not both');
  else if (raw['scenario'] === undefined && raw['topology'] === undefined)
    problem(
      [],
      `no world: give \`scenario: <a built-in scenario>\` (${builtInNames(options).join(', ')}) or an inline \`topology:\` in the scenarios' topology schema`,
    );
  else if (typeof raw['scenario'] === 'string') {
    base = options.scenarios.find((s) => s.name === raw['scenario']);
    if (base === undefined)
      problem(
        ['scenario'],
        `no built-in scenario "${raw['scenario']}"; built-in scenarios: ${builtInNames(options).join(', ')}`,
      );
    else topology = base.topology;
  } else if (raw['topology'] !== undefined) topology = raw['topology'] as TopologyInput;
  let nodes: WorldNodes | undefined;
  if (topology !== undefined) {
    try {
      nodes = topologyNodes(
        resolveTopology(topology, {
          knownServiceKinds: knownSimKinds(),
          source: `${file}'s topology`,
        }),
      );
    } catch (error) {
      if (!(error instanceof TopologyError)) throw error;
      for (const p of error.problems)
        problem(
          [
            'topology',
            ...p.path
              .split(/[.[\]]+/)
              .filter((s) => s !== '')
              .map((s) => (/^\d+$/.test(s) ? Number(s) : s)),
          ],
          `${p.problem}; ${p.fix}`,
        );
    }
  }

  // The schedule: faults at times, and waits.
  const faults: PlannedFault[] = [];
  let baseMs = 0;
  let endMs = 0;
  const schedule = Array.isArray(raw['schedule']) ? (raw['schedule'] as unknown[]) : [];
  schedule.forEach((entry, i) => {
    const at: Path = ['schedule', i];
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problem(at, 'give a fault (`at:`, `fault:`, optional `params:` and `for:`) or a `wait:`');
      return;
    }
    if ('wait' in entry) {
      const parsed = waitEntrySchema.safeParse(entry);
      if (!parsed.success) problems.push(...zodProblems(parsed.error.issues, at, ['wait']));
      const wait = durationMs(entry.wait, false, 'wait');
      if (typeof wait === 'string') problem([...at, 'wait'], wait);
      else {
        baseMs = Math.max(baseMs, endMs) + wait;
        endMs = baseMs;
      }
      return;
    }
    const parsed = faultEntrySchema.safeParse(entry);
    if (!parsed.success)
      problems.push(...zodProblems(parsed.error.issues, at, ['at', 'fault', 'params', 'for']));
    const e = entry as Record<string, unknown>;
    const atMs = e['at'] === undefined ? undefined : durationMs(e['at'], true, 'at');
    if (typeof atMs === 'string') problem([...at, 'at'], atMs);
    const forMs = e['for'] === undefined ? undefined : durationMs(e['for'], false, 'for');
    if (typeof forMs === 'string') problem([...at, 'for'], forMs);
    if (typeof e['fault'] !== 'string') return;
    let parameters: Record<string, unknown> | undefined;
    try {
      const type = faultType(e['fault']);
      const given = (
        typeof e['params'] === 'object' && e['params'] !== null ? e['params'] : {}
      ) as Record<string, unknown>;
      // A trace's path is read from the incident file's folder.
      parameters = resolveParameters(
        `fault ${type.name}`,
        type.parameters,
        given,
        nodes,
        dirname(file),
      );
    } catch (error) {
      const field = /unknown fault/.test(describeError(error)) ? 'fault' : 'params';
      problem([...at, field], asField(describeError(error)));
    }
    if (parameters !== undefined && typeof atMs === 'number' && typeof forMs !== 'string') {
      faults.push({
        atMs: baseMs + atMs,
        ...(forMs === undefined ? {} : { forMs }),
        type: e['fault'],
        parameters,
        path: fieldPath(at),
      });
      endMs = Math.max(endMs, baseMs + atMs + (forMs ?? 0));
    }
  });
  faults.sort((a, b) => a.atMs - b.atMs);
  const plan: IncidentPlan = { faults, endMs };

  // The checks, by name, and the kits that gather their evidence.
  const checks: CheckType[] = [];
  const kits = new Map<string, { kit: EvidenceKit; values: Record<string, unknown>; path: Path }>();
  const entries = Array.isArray(raw['checks']) ? (raw['checks'] as unknown[]) : [];
  entries.forEach((entry, i) => {
    const at: Path = ['checks', i];
    if (typeof entry !== 'string' && (typeof entry !== 'object' || entry === null)) {
      problem(at, 'give a check name, or `check:` with optional `params:`');
      return;
    }
    const e = typeof entry === 'string' ? { check: entry } : entry;
    const parsed = checkEntrySchema.safeParse(e);
    if (!parsed.success) {
      problems.push(...zodProblems(parsed.error.issues, at, ['check', 'params']));
      return;
    }
    let type: CheckType;
    try {
      type = checkType(parsed.data.check);
    } catch (error) {
      problem(typeof entry === 'string' ? at : [...at, 'check'], describeError(error));
      return;
    }
    if (checks.includes(type)) {
      problem(at, `check ${type.name} is named twice: name it once`);
      return;
    }
    checks.push(type);
    let values: Record<string, unknown>;
    try {
      values = resolveParameters(
        `check ${type.name}`,
        type.kit.parameters,
        parsed.data.params ?? {},
        nodes,
      );
    } catch (error) {
      problem([...at, 'params'], asField(describeError(error)));
      return;
    }
    const earlier = kits.get(type.kit.name);
    if (earlier === undefined) kits.set(type.kit.name, { kit: type.kit, values, path: at });
    else if (JSON.stringify(earlier.values) !== JSON.stringify(values))
      problem(
        [...at, 'params'],
        `the checks of one evidence (${type.kit.name}) judge one gathering: give the same params as ${fieldPath(earlier.path)} (${JSON.stringify(earlier.values)})`,
      );
  });
  if (faults.length > 0 || schedule.length > 0)
    for (const { kit, values } of kits.values())
      for (const text of kit.planProblems(plan, values, nodes ?? emptyNodes))
        problem(['schedule'], text);

  // The incident's name: its own, or the file's.
  const name = typeof raw['name'] === 'string' ? raw['name'] : basename(file, extname(file));
  if (raw['name'] === undefined && !/^[a-z0-9][a-z0-9-]*$/.test(name))
    problem(
      [],
      `the file's name "${name}" cannot name the incident: add \`name: <lower-case-with-dashes>\``,
    );
  if (builtInNames(options).includes(name))
    problem(
      raw['name'] === undefined ? [] : ['name'],
      `"${name}" is a built-in scenario's name: give the incident another \`name:\``,
    );

  // In the order of the file, so that a reader fixes them top to bottom.
  problems.sort((a, b) => lineOf(a.path) - lineOf(b.path));
  if (problems.length > 0)
    throw new SovhError(
      'INCIDENT_INVALID',
      `${file} is not a valid incident:\n${problems.map((p) => `  ${where(p.path)}: ${p.problem}`).join('\n')}\n(the format: docs/incidents.md)`,
      {
        details: {
          file,
          problems: problems.map((p) => ({ path: fieldPath(p.path), problem: p.problem })),
        },
      },
    );

  const judged = new Set(checks.map((c) => c.name));
  // A built-in mutant of the scenario whose world the incident takes is a negative control for
  // the incident too, for the checks of its own that the incident judges.
  const mutants =
    base === undefined || options.referenceStack === false
      ? []
      : base.mutants
          .map((m) => ({ ...m, expectFailing: m.expectFailing.filter((c) => judged.has(c)) }))
          .filter((m) => m.expectFailing.length > 0);
  const usedKits = [...kits.values()];
  const union = <T>(pick: (kit: EvidenceKit) => readonly T[]) => [
    ...new Set(usedKits.flatMap((k) => pick(k.kit))),
  ];
  return {
    file,
    name,
    description:
      typeof raw['description'] === 'string'
        ? raw['description']
        : `incident ${basename(file)}: ${faults.map((f) => f.type).join(', ')} judged by ${checks.map((c) => c.name).join(', ')}`,
    ...(base === undefined ? {} : { scenario: base.name }),
    topology: topology ?? { zones: [] },
    plan,
    checks,
    kits: usedKits.map(({ kit, values }) => ({ kit, values })),
    mutants,
    needs: union((k) => k.needs),
    sections: union((k) => k.sections),
    contractBounds: union((k) => k.contractBounds),
  };
}

const emptyNodes: WorldNodes = {
  hsm: [],
  kms: [],
  resolver: [],
  ups: [],
  router: [],
  machine: [],
  'bmc-machine': [],
  host: [],
  zone: [],
};

/** Reads an incident file from disk (see readIncident). */
export async function loadIncidentFile(
  path: string,
  options: IncidentOptions,
): Promise<IncidentDefinition> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SovhError(
      'INCIDENT_NOT_FOUND',
      `incident file ${file} cannot be read (${describeError(error)}): give the path of a YAML incident (docs/incidents.md)`,
    );
  }
  return readIncident(text, file, options);
}
