import type { Scenario } from '../harness/scenario/scenario.ts';
import bootBinding from './boot-binding/boot-binding.ts';

/** Every scenario of the suite, in the order `sovh run` runs them. */
export const scenarios: readonly Scenario[] = [bootBinding];
