import { contractBound } from '../../harness/contract/contract-bounds.ts';

/**
 * The outage topology's UPS poll interval (site file `ups.pollFrequencyS`, the UPS simulator's
 * default): the contract's bound is derived from it.
 */
export const upsPollFrequencyS = 1;

/**
 * From upsd reporting LB, how long the stack may take until no key is left in memory and every
 * sovereign service has stopped listening: two of the monitor's poll intervals (CONTRACT.md, power
 * watch), one to see LB and one to wipe and stop.
 */
export const keyWipeBound = contractBound({
  name: 'keysGoneMs',
  description:
    'from upsd reporting LB until no key is left in memory and no sovereign service listens (two UPS polls)',
  unit: 'ms',
  contract: 2 * upsPollFrequencyS * 1_000,
  tighter: 'lower',
});

/**
 * The longest the host's UPS monitor may leave upsd unasked, on line and on battery alike: one
 * poll interval (CONTRACT.md, power watch). The key-wipe bound of two polls rests on it: a monitor
 * that polls less often sees LB too late for any wipe to make the bound.
 */
export const upsPollBound = contractBound({
  name: 'upsPollMs',
  description:
    "the longest gap between two of the host's UPS status polls seen at upsd, until it has seen LB or FSD",
  unit: 'ms',
  contract: upsPollFrequencyS * 1_000,
  tighter: 'lower',
});
