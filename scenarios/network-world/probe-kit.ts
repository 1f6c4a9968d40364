import type { ContractSection } from '../../harness/contract/contract-sections.ts';
import { parameter } from '../../harness/faults/fault-parameters.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import type { RouterCapture } from '../../sims/router/started-router.ts';
import type { EvidenceKit } from '../incident/evidence-kit.ts';

/**
 * The evidence of a network scenario's probes around any schedule: `setUp` (the host's fence
 * loaded, the exchange's capture started) before it; `probe` when the schedule is over, with its
 * faults still in force (the positive control, every target tried, what arrived counted). It needs
 * the scenario's own world, taken with `scenario:`.
 */
export function probesAfterScheduleKit<Probes extends { capture: RouterCapture }>(spec: {
  name: string;
  description: string;
  sections: readonly ContractSection[];
  setUp(context: ScenarioContext, host: string): Promise<Probes>;
  probe(context: ScenarioContext, probes: Probes): Promise<void>;
}): EvidenceKit {
  return {
    name: spec.name,
    description: spec.description,
    needs: [],
    sections: spec.sections,
    contractBounds: [],
    parameters: { host: parameter.node('host', 'the host whose fence is probed') },
    planProblems: () => [],
    async start(context, values) {
      const probes = await spec.setUp(context, String(values['host']));
      return {
        during: () => Promise.resolve(),
        at: () => Promise.resolve(),
        finish: () => spec.probe(context, probes),
        abort: () =>
          probes.capture.stop().then(
            () => undefined,
            () => undefined,
          ),
      };
    },
  };
}
