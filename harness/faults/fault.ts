import type { World } from '../world/world.ts';

/** Undoes a fault. */
export type Heal = () => Promise<void>;

/**
 * A fault operation (Jepsen's nemesis): `invoke` breaks something in the world and returns the
 * step that heals it. The scenario context records both in the history.
 */
export interface Fault {
  name: string;
  /** A sentence for reports: what breaks. */
  description: string;
  invoke(world: World): Promise<Heal>;
}
