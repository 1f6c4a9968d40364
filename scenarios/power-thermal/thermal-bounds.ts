import { contractBound } from '../../harness/contract/contract-bounds.ts';

/** The thermal watch's poll interval in the thermal scenarios' topologies (site `thermal.pollIntervalMs`). */
export const thermalPollIntervalMs = 500;

/**
 * From the CPU (the model's, or a recorded trace's) reaching the site's configured critical
 * temperature (`thermal.criticalC`, from the harness's own topology) until the store refuses
 * connections, seen from the zone: one
 * poll interval to read the limit, one for the BMC's publication to reach the reading (its feeder
 * and agents refresh within a few hundred ms), and the graceful shutdown's key-wipe budget (2 s)
 * to close the ports. A stack may tighten it, never loosen it.
 */
export const criticalActionBound = contractBound({
  name: 'criticalActionMs',
  description:
    "from the CPU reaching the configured critical temperature (in the model, or in a recorded BMC trace) until the store refuses connections (two thermal polls and the shutdown's 2 s)",
  unit: 'ms',
  contract: 2 * thermalPollIntervalMs + 2_000,
  tighter: 'lower',
});

/**
 * From the inlet (the model's, or a recorded trace's) leaving the operating range until the
 * stack's THERMAL_ALARM: one poll interval to read the crossing, one more for the BMC's publication to reach the reading, and a
 * second for the log line on a loaded machine (2 s: 30 model seconds at 15x, 60 at 30x; it was
 * 10 s, up to 300 model seconds). A stack may tighten it, never loosen it.
 */
export const thermalAlarmBound = contractBound({
  name: 'thermalAlarmMs',
  description:
    "from the inlet leaving the operating range (in the model, or in a recorded BMC trace) until the stack's THERMAL_ALARM (two thermal polls and 1 s)",
  unit: 'ms',
  contract: 2 * thermalPollIntervalMs + 1_000,
  tighter: 'lower',
});
