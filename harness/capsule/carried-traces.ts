import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import { faultTypes } from '../faults/fault-registry.ts';

/** A file an incident's schedule reads (a recorded trace), and where the capsule keeps it. */
export interface CarriedTrace {
  /** The path the run read, absolute. */
  recorded: string;
  /** Its path in the capsule, from the capsule's root. */
  file: string;
}

/**
 * An incident file as a capsule carries it: every file parameter of its schedule (a UPS or BMC
 * trace) points at a copy kept beside it under `traces/`, so the copy replays on a machine that
 * has none of the original paths. The rest of the text, comments included, is as written.
 */
export function carryIncidentTraces(
  text: string,
  incidentPath: string,
  options: { folder: string; prefix: string },
): { text: string; traces: CarriedTrace[] } {
  const doc = parseDocument(text);
  const schedule = doc.get('schedule');
  const traces: CarriedTrace[] = [];
  if (!isSeq(schedule)) return { text, traces };
  for (const entry of schedule.items) {
    if (!isMap(entry)) continue;
    const fileParameters = fileParametersOf(entry.get('fault'));
    const params = entry.get('params');
    if (fileParameters.length === 0 || !isMap(params)) continue;
    for (const name of fileParameters) {
      const given = params.get(name);
      if (typeof given !== 'string' || given === '') continue;
      const recorded = isAbsolute(given) ? given : resolve(dirname(incidentPath), given);
      const known = traces.find((t) => t.recorded === recorded);
      const relative =
        known?.file.slice(options.folder.length + 1) ??
        `traces/${options.prefix}${String(traces.length + 1)}-${basename(recorded)}`;
      if (known === undefined) traces.push({ recorded, file: `${options.folder}/${relative}` });
      params.set(name, relative);
    }
  }
  return { text: traces.length === 0 ? text : doc.toString(), traces };
}

/** The names of a fault's file parameters (none for an unknown fault or a non-string). */
function fileParametersOf(fault: unknown): string[] {
  const type = faultTypes.find((f) => f.name === fault);
  if (type === undefined) return [];
  return Object.entries(type.parameters)
    .filter(([, spec]) => spec.file !== undefined)
    .map(([name]) => name);
}
