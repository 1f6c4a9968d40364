/**
 * A bound the contract states for a scenario's measurement (a halt within 10 s, a wipe within
 * 2 s): a stack may hold itself to a tighter one in its config file, never to a looser one.
 */
export interface ContractBound {
  /** The name a config file uses: `bounds: { "<scenario>": { "<name>": value } }`. */
  name: string;
  description: string;
  /** The unit of the value, named in messages: "ms", "%". */
  unit: string;
  /** The value the contract states. */
  contract: number;
  /** Which way is stricter: a smaller value (a deadline) or a larger one (a ratio to reach). */
  tighter: 'lower' | 'higher';
}

export function contractBound(bound: ContractBound): ContractBound {
  if (!/^[a-z][A-Za-z0-9]*$/.test(bound.name))
    throw new TypeError(`a bound's name is one camelCase word with its unit, not "${bound.name}"`);
  if (!Number.isFinite(bound.contract))
    throw new TypeError(`bound ${bound.name}: the contract's value must be a number`);
  return bound;
}

/** Why a stack's value for a bound is refused (it loosens the contract), or undefined. */
export function looserThanContract(bound: ContractBound, value: number): string | undefined {
  const looser = bound.tighter === 'lower' ? value > bound.contract : value < bound.contract;
  if (!looser) return undefined;
  return `${value} ${bound.unit} is looser than the contract's ${bound.contract} ${bound.unit} (a stack may tighten a bound, never loosen it); give ${bound.tighter === 'lower' ? 'at most' : 'at least'} ${bound.contract}`;
}
