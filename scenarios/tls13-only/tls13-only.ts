import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { awaitServing } from '../../harness/checks/probes/serving-probe.ts';
import { capSystemTls } from '../../harness/faults/crypto-policy-cap.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { endpoints, phases, tls13OnlyChecks } from './tls13-only-checks.ts';
import {
  bootTimeoutMs,
  observeCappedBoot,
  observeEndpointFromObserver,
  observeEndpointHandshakes,
  observeStackCall,
} from './tls13-only-evidence.ts';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The manual's "TLS 1.3 only toward sovereign APIs": of two sovereign endpoints, one offering only
 * TLS 1.2 and one only TLS 1.3, the stack's client reaches the second and never the first, as the
 * endpoints themselves saw it; and a host whose OpenSSL cannot do TLS 1.3 says so and fails closed.
 */
export default defineScenario({
  name: 'tls13-only',
  description:
    "The stack's client refuses a TLS 1.2-only sovereign API, connects over TLS 1.3, and fails closed on a runtime without TLS 1.3",
  needs: [],
  topology: {
    zones: [{ name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.41.0.0/16'] }],
    services: [
      {
        name: endpoints.legacy,
        kind: 'sovereign-api',
        zone: 'sovereign',
        options: { tlsVersions: ['TLSv1.2'] },
      },
      {
        name: endpoints.modern,
        kind: 'sovereign-api',
        zone: 'sovereign',
        options: { tlsVersions: ['TLSv1.3'] },
      },
    ],
    hosts: [{ name: 'vm1', zone: 'sovereign' }],
  },
  async run(context) {
    const { world } = context;
    const vm = world.host('vm1');
    await context.step('boot and serve', () => awaitServing(world, vm, bootTimeoutMs));
    await context.step('probe the endpoints from the zone observer', async () => {
      for (const endpoint of [endpoints.legacy, endpoints.modern]) {
        for (const offered of ['TLSv1.2', 'TLSv1.3'] as const) {
          await observeEndpointFromObserver(context, 'sovereign', endpoint, offered);
        }
      }
    });
    await context.step("call each endpoint with the stack's client", async () => {
      await observeStackCall(context, vm, endpoints.legacy, phases.policy);
      await observeStackCall(context, vm, endpoints.modern, phases.policy);
      await observeEndpointHandshakes(context, vm, endpoints.legacy, phases.policy);
      await observeEndpointHandshakes(context, vm, endpoints.modern, phases.policy);
    });

    // Healed at the end of the run: the configuration is restored for a next boot.
    await context.inject(capSystemTls('vm1'));
    await context.step('observe the boot under the capped crypto policy', async () => {
      await observeCappedBoot(context, vm);
      await observeStackCall(context, vm, endpoints.modern, phases.capped);
      await observeEndpointHandshakes(context, vm, endpoints.modern, phases.capped);
    });
  },
  checks: tls13OnlyChecks,
  mutants: [
    {
      name: 'tls-minimum-1-2',
      description: "The stack's client accepts TLS 1.2 toward sovereign APIs",
      expectFailing: ['refuses-tls12-endpoint'],
      stackPatch: join(here, 'mutants', 'tls-minimum-1-2.patch'),
    },
  ],
});
