import { describe, expect, it } from 'vitest';
import { missingCapabilities } from '../../harness/runtime/capabilities.ts';
import { prepareEnvironment } from '../../harness/scenario/environment.ts';
import { runScenario } from '../../harness/scenario/scenario-runner.ts';
import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import { consoleLogger } from '../../harness/util/log.ts';
import vlanSegments from './vlan-segments.ts';

describeScenario(vlanSegments);

/**
 * On a kernel without 802.1Q the suite above can only skip; this states what the run must say
 * there instead: "not applicable: vlan-8021q missing", on the scenario and on every check, with
 * nothing started. Where the kernel has 802.1Q, the suite above judges the world itself.
 */
describe('vlan-segments without 802.1Q', () => {
  it('is not applicable, naming vlan-8021q, on every check and on each mutant', async (context) => {
    const environment = await prepareEnvironment({ log: consoleLogger() });
    if (missingCapabilities(environment.capabilities, ['vlan-8021q']).length === 0) {
      context.skip('this kernel has 802.1Q: the scenario suite judges the world');
      return;
    }
    for (const mutant of [undefined, ...vlanSegments.mutants.map((m) => m.name)]) {
      const result = await runScenario(
        vlanSegments,
        environment,
        mutant === undefined ? {} : { mutant },
      );
      expect(result.status).toBe('not-applicable');
      expect(result.reason).toMatch(/vlan-8021q missing/);
      for (const check of result.checks) {
        expect(check.status, check.name).toBe('not-applicable');
        expect(check.summary, check.name).toMatch(/vlan-8021q/);
      }
      expect(result.mutant?.verdict ?? 'reference').not.toBe('caught');
    }
  });
});
