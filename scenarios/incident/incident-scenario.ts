import type { Scenario } from '../../harness/scenario/scenario.ts';
import { formatDuration } from '../../harness/util/duration.ts';
import type { KitWatch } from './evidence-kit.ts';
import type { IncidentDefinition } from './incident-file.ts';
import { runIncidentSchedule } from './incident-schedule.ts';

/**
 * An incident file as a scenario: its world, its schedule of registered faults with the kits of
 * its checks gathering evidence around it, and the built-in checks it names. It runs, reports and
 * is judged like any scenario.
 */
export function incidentScenario(incident: IncidentDefinition): Scenario {
  return {
    name: incident.name,
    description: incident.description,
    needs: incident.needs,
    sections: incident.sections,
    topology: incident.topology,
    contractBounds: incident.contractBounds,
    checks: incident.checks.map((c) => c.make()),
    mutants: incident.mutants,
    async run(context) {
      const watches: KitWatch[] = [];
      try {
        for (const { kit, values } of incident.kits) watches.push(await kit.start(context, values));
        const startedAtMs = Date.now();
        const during = watches.map((w) => w.during(incident.plan, startedAtMs));
        // Surfaced below, after the schedule; until then no rejection may go unhandled.
        for (const d of during) d.catch(() => undefined);
        await context.step(
          `the incident's schedule: ${incident.plan.faults.length} fault(s) over ${formatDuration(incident.plan.endMs)}`,
          () => runIncidentSchedule(context, incident.plan, watches, startedAtMs),
        );
        for (const watch of watches) await watch.finish();
        await Promise.all(during);
      } catch (error) {
        await Promise.all(watches.map((w) => w.abort().catch(() => undefined)));
        throw error;
      }
    },
  };
}
