/**
 * A typed name of an observation: the schedule records data of type T under it and checks read
 * data of type T back, so the two cannot disagree on a string or a shape. Declare one per
 * observation beside its evidence code: `export const haltSeen = observationKey<Halt>('halt')`.
 */
export interface ObservationKey<T> {
  readonly name: string;
  /** Carries T for the type checker only; never set. */
  readonly shape?: T;
}

export function observationKey<T>(name: string): ObservationKey<T> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name))
    throw new TypeError(`observation names are kebab-case words, not "${name}"`);
  return { name };
}

/** The name of a key or of a plain (untyped, older) observation name. */
export function observationName(key: string | ObservationKey<unknown>): string {
  return typeof key === 'string' ? key : key.name;
}
