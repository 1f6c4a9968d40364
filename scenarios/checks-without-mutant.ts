/**
 * Checks that no declared mutant names, each with the reason it has none. Every check of the
 * suite must be shown to fail: by a mutant that names it (the test suite runs it and requires the
 * failure), or, where no stack defect can reach it, by a reason reviewed here. A unit test
 * (check-coverage.test.ts) fails when a check is in neither place, or in both.
 *
 * `notYetShownToFail` is a debt, not a reason: each such entry is to become a mutant.
 */
export const notYetShownToFail = 'no mutant yet: a debt, to be paid with a margin mutant';

/**
 * The BMC simulator against its own thermal model: no stack reaches either, so no stack defect can
 * fail it. It guards the evidence the thermal checks rest on; its unit test
 * (power-thermal/thermal-checks.test.ts) shows it failing on a reading off the model or a failed
 * read, and the simulator's docker tests hold the real BMC programs to the model.
 */
const simulatorSelfCheck =
  'a self-check of the BMC simulator against its model: no stack reaches it (failing cases unit-tested)';

/**
 * The control of config-immutability: with the flag lifted, the harness's same write goes through.
 * A stack could fail it only by guarding the file with something other than the flag (a read-only
 * mount, a security module), which needs capabilities the host container is not given; its
 * failing case is unit-tested (config-immutability-checks.test.ts).
 */
const writePathControl =
  "a control of the harness's own write path: only a lock beyond the host's capabilities reaches it (failing case unit-tested)";

export const checksWithoutMutant: Record<string, Record<string, string>> = {
  'config-immutability': {
    'writable-once-unflagged': writePathControl,
  },
  'thermal-excursion': {
    'ipmi-snmp-agree-with-model': simulatorSelfCheck,
  },
  'cooling-failure': {
    'curve-follows-model': simulatorSelfCheck,
  },
};
