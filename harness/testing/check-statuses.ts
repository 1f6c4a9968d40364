import { runChecks, type Check } from '../checks/check.ts';
import type { CapabilityReport } from '../runtime/capabilities.ts';
import type { History } from '../scenario/history.ts';

/** A machine that lacks nothing: checks on made-up histories are judged, never not-applicable. */
const everyCapability = { entries: [] } as unknown as CapabilityReport;

/** The status each check gives on a made-up history, by check name: the unit test of a `*-checks.ts`. */
export async function checkStatuses(
  checks: readonly Check[],
  history: History,
): Promise<Record<string, string>> {
  const results = await runChecks(checks, history, everyCapability);
  return Object.fromEntries(results.map((r) => [r.name, r.status]));
}
