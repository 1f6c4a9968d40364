import { contractBound } from '../../harness/contract/contract-bounds.ts';

/** The thermal watch's poll interval in the thermal scenarios' topologies (site `thermal.pollIntervalMs`). */
export const thermalPollIntervalMs = 500;

/**
 * From the model's sensor reaching the site's configured critical temperature (`thermal.criticalC`,
 * from the harness's own topology) until the store refuses connections, seen from the zone: one
 * poll interval to read the limit, one for the BMC's publication to reach the reading (its feeder
 * and agents refresh within a few hundred ms), and the graceful shutdown's key-wipe budget (2 s)
 * to close the ports. A stack may tighten it, never loosen it.
 */
export const criticalActionBound = contractBound({
  name: 'criticalActionMs',
  description:
    "from the model's sensor reaching the configured critical temperature until the store refuses connections (two thermal polls and the shutdown's 2 s)",
  unit: 'ms',
  contract: 2 * thermalPollIntervalMs + 2_000,
  tighter: 'lower',
});
