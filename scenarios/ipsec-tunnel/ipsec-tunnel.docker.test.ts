import { describe, expect, it } from 'vitest';
import { missingCapabilities } from '../../harness/runtime/capabilities.ts';
import { prepareEnvironment } from '../../harness/scenario/environment.ts';
import { runScenario } from '../../harness/scenario/scenario-runner.ts';
import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import { consoleLogger } from '../../harness/util/log.ts';
import ipsecTunnel from './ipsec-tunnel.ts';

describeScenario(ipsecTunnel);

/**
 * On a kernel without ESP the suite above can only skip; this states what the run must say
 * there instead: "not applicable: xfrm-esp missing", on the scenario and on every check, with
 * nothing started. Where the kernel has ESP, the suite above judges the world itself.
 */
describe('ipsec-tunnel without ESP', () => {
  it('is not applicable, naming xfrm-esp, on every check and on each mutant', async (context) => {
    const environment = await prepareEnvironment({ log: consoleLogger() });
    if (missingCapabilities(environment.capabilities, ['xfrm-esp']).length === 0) {
      context.skip('this kernel has ESP: the scenario suite judges the world');
      return;
    }
    for (const mutant of [undefined, ...ipsecTunnel.mutants.map((m) => m.name)]) {
      const result = await runScenario(
        ipsecTunnel,
        environment,
        mutant === undefined ? {} : { mutant },
      );
      expect(result.status).toBe('not-applicable');
      expect(result.reason).toMatch(/xfrm-esp missing/);
      for (const check of result.checks) {
        expect(check.status, check.name).toBe('not-applicable');
        expect(check.summary, check.name).toMatch(/xfrm-esp/);
      }
      expect(result.mutant?.verdict ?? 'reference').not.toBe('caught');
    }
  });
});
