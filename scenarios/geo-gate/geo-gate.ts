import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { awaitServing } from '../../harness/checks/probes/serving-probe.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { geoGateChecks, zones } from './geo-gate-checks.ts';
import {
  awaitGate,
  bootTimeoutMs,
  observeBackend,
  observeFenceLog,
  observeGateConfiguration,
  observeGateSession,
} from './geo-gate-evidence.ts';

const here = dirname(fileURLToPath(import.meta.url));
const backend = 'api-backend';

/**
 * The manual's localized load balancer: sessions are admitted only when both ends are domestic
 * by a GeoIP database generated from the site file and pinned by hash. A client in a foreign region
 * reaches the gate through the exchange and is refused; a domestic client gets through.
 */
export default defineScenario({
  name: 'geo-gate',
  description:
    'Sessions from foreign addresses are refused at the GeoIP gate, domestic ones admitted, as seen by the clients and the backend',
  needs: [],
  topology: {
    zones: [
      { name: zones.sovereign, jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.43.0.0/16'] },
      { name: 'exchange', jurisdiction: 'NL', kind: 'exchange', cidrs: ['10.63.0.0/16'] },
      { name: zones.foreign, jurisdiction: 'US', kind: 'foreign', cidrs: ['10.83.0.0/16'] },
    ],
    services: [
      { name: 'ixp', kind: 'router', zone: 'exchange', legs: [zones.sovereign, zones.foreign] },
      {
        name: backend,
        kind: 'sovereign-api',
        zone: zones.sovereign,
        options: { gateBackend: true },
      },
    ],
    hosts: [{ name: 'gate1', zone: zones.sovereign }],
  },
  async run(context) {
    const { world } = context;
    const gate = world.host('gate1');
    await context.step('boot and open the gate', async () => {
      await awaitServing(world, gate, bootTimeoutMs);
      await awaitGate(context, gate);
    });
    await context.step(
      'a domestic and a foreign client each open a session through the gate',
      async () => {
        await observeGateSession(context, gate, zones.sovereign, backend);
        await observeGateSession(context, gate, zones.foreign, backend);
      },
    );
    await context.step('read what the backend, HAProxy and the stack saw', async () => {
      await observeBackend(context, gate, backend);
      await observeGateConfiguration(context, gate);
      await observeFenceLog(context, gate);
    });
  },
  checks: geoGateChecks,
  mutants: [
    {
      name: 'geoip-check-disabled',
      description: 'The gate looks the addresses up but never refuses a session',
      expectFailing: ['foreign-session-refused', 'fence-logged'],
      stackPatch: join(here, 'mutants', 'geoip-check-disabled.patch'),
    },
  ],
});
