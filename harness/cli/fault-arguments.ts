import { parseDuration } from '../util/duration.ts';
import { SovhError } from '../util/sovh-error.ts';

export interface FaultArguments {
  /** Parameters as given, by name without the dashes; checked later against the fault's own. */
  parameters: Record<string, string>;
  /** `--for DURATION`: heal after this long. */
  forMs?: number;
}

/**
 * Reads what follows `sovh inject WORLD FAULT`: `--name value` or `--name=value` pairs, and
 * `--for DURATION`. Which names a fault takes is the registry's to say; this only reads pairs.
 */
export function parseFaultArguments(tokens: readonly string[]): FaultArguments {
  const parameters: Record<string, string> = {};
  let forMs: number | undefined;
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i] ?? '';
    const match = /^--([a-zA-Z][a-zA-Z0-9-]*)(?:=(.*))?$/.exec(token);
    if (match === null) {
      throw new SovhError(
        'BAD_FAULT_PARAMETER',
        `unexpected "${token}": give parameters as --NAME VALUE, e.g. \`npx sovh inject WORLD hsm-cut --hsm hsm-a --for 30s\``,
      );
    }
    const name = match[1] ?? '';
    let value = match[2];
    if (value === undefined) {
      const next = tokens[i + 1];
      if (next === undefined || next.startsWith('--'))
        throw new SovhError('BAD_FAULT_PARAMETER', `--${name} needs a value: --${name} VALUE`);
      value = next;
      i += 1;
    }
    if (name === 'for') forMs = parseDuration(value, '--for');
    else if (name in parameters)
      throw new SovhError('BAD_FAULT_PARAMETER', `--${name} is given twice; give it once`);
    else parameters[name] = value;
  }
  return forMs === undefined ? { parameters } : { parameters, forMs };
}
