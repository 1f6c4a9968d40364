import { isNode, type Document, type LineCounter } from 'yaml';
import type { z } from 'zod';
import { fieldPath } from '../../harness/config/config-file.ts';
import { parseDuration } from '../../harness/util/duration.ts';
import { describeError } from '../../harness/util/sovh-error.ts';

/** A place in an incident file: its keys and list indexes, from the top. */
export type Path = (string | number)[];

/** Where a path of the file is: "line 7, schedule[1].fault". */
export function locator(doc: Document, lines: LineCounter) {
  return (path: Path): string => {
    for (let n = path.length; n >= 0; n -= 1) {
      const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range !== undefined && node.range !== null) {
        const line = lines.linePos(node.range[0]).line;
        return `line ${line}, ${fieldPath(path) || '(the whole file)'}`;
      }
    }
    return fieldPath(path) || '(the whole file)';
  };
}

/** Messages of the fault and check registries speak of command-line flags; a file has fields. */
export function asField(message: string): string {
  return message.replace(/--([a-z][\w-]*)/g, 'params.$1');
}

export function zodProblems(
  issues: readonly z.core.$ZodIssue[],
  at: Path,
  known: readonly string[],
): { path: Path; problem: string }[] {
  return issues.flatMap((issue) => {
    const path = [...at, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => ({
        path: [...path, key],
        problem: `unknown field "${key}": remove it (known fields here: ${known.join(', ')})`,
      }));
    return [{ path, problem: issue.message }];
  });
}

/** Reads a duration field; `at` may be zero. */
export function durationMs(value: unknown, zeroAllowed: boolean, what: string): number | string {
  if (typeof value === 'number') {
    if (value > 0 || (zeroAllowed && value === 0)) return Math.round(value * 1000);
    return `${what} ${value} is not a duration; write it like 500ms, 5s or 1m30s`;
  }
  const text = String(value);
  if (zeroAllowed && /^0+(\.0+)?(ms|s|m|h)?$/.test(text.trim())) return 0;
  try {
    return parseDuration(text, what);
  } catch (error) {
    return describeError(error);
  }
}
