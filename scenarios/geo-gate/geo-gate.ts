import { dirname, join } from 'node:path';
import { injectFault } from '../../harness/faults/inject-fault.ts';
import { fileURLToPath } from 'node:url';
import { awaitServing } from '../../harness/checks/probes/serving-probe.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { nthAddress } from '../../harness/util/cidr.ts';
import { geoGateChecks, outsideZones, zones } from './geo-gate-checks.ts';
import {
  awaitGate,
  bootTimeoutMs,
  observeBackend,
  observeBurst,
  observeDatabasePin,
  observeFenceLog,
  observeGateSession,
} from './geo-gate-evidence.ts';

const here = dirname(fileURLToPath(import.meta.url));
const backend = 'api-backend';
const mutant = (name: string) => join(here, 'mutants', `${name}.patch`);
/** The offset of the host's foreign address in the foreign zone's subnet: no node of it uses it. */
const foreignAddressOffset = 250;

/** The steps a mutant's schedule may stop after (Mutant.stopAfterStep). */
const steps = {
  disks: 'read what the backend and the host disks hold',
} as const;

/**
 * The manual's localized load balancer: sessions are admitted only when both ends are domestic
 * by a GeoIP database generated from the site and pinned by hash. Clients in a foreign region and
 * at the exchange next door reach the gate and are refused; a domestic client gets through, but
 * not when it calls the host at an address outside the jurisdiction; and the gate holds its
 * connection limits under a real burst.
 */
export default defineScenario({
  name: 'geo-gate',
  description:
    'The GeoIP gate admits only domestic-to-domestic sessions (foreign sources and a foreign destination refused), as seen by the clients and the backend, and holds its connection limits under a burst',
  needs: [],
  sections: ['geo-gate', 'tls13'],
  topology: {
    zones: [
      { name: zones.sovereign, jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.43.0.0/16'] },
      // Next to the domestic range on purpose (both inside 10.32.0.0/12): a database that widens
      // the domestic CIDRs takes the exchange in.
      { name: zones.exchange, jurisdiction: 'NL', kind: 'exchange', cidrs: ['10.38.0.0/16'] },
      { name: zones.foreign, jurisdiction: 'US', kind: 'foreign', cidrs: ['10.83.0.0/16'] },
    ],
    services: [
      { name: 'ixp', kind: 'router', zone: zones.exchange, legs: [zones.sovereign, zones.foreign] },
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
    await context.step('clients at home, at the exchange and abroad call the gate', async () => {
      for (const zone of [zones.sovereign, ...outsideZones])
        await observeGateSession(context, {
          zone,
          calledAddress: gate.address,
          destination: 'host',
          backend,
        });
    });
    const foreignSubnet = world.describe().networks.find((n) => n.zone === zones.foreign)?.subnet;
    const foreignAddress = nthAddress(foreignSubnet ?? '', foreignAddressOffset);
    // The registry's fault calls the address from the sovereign zone's observer.
    const heal = await injectFault(context, 'foreign-address', {
      host: 'gate1',
      address: foreignAddress,
      zone: zones.sovereign,
    });
    await context.step('a domestic client calls the host at a foreign address', () =>
      observeGateSession(context, {
        zone: zones.sovereign,
        calledAddress: foreignAddress,
        destination: 'foreign',
        backend,
      }),
    );
    await heal();
    await context.step(steps.disks, async () => {
      await observeBackend(context, gate, backend);
      await observeFenceLog(context, gate);
      await observeDatabasePin(context, gate);
    });
    await context.step('a burst of connections to the gate', () =>
      observeBurst(context, gate, backend),
    );
  },
  checks: geoGateChecks,
  mutants: [
    {
      name: 'geoip-check-disabled',
      description: 'The gate looks the addresses up but never refuses a session',
      expectFailing: ['foreign-session-refused', 'foreign-destination-refused', 'fence-logged'],
      stopAfterStep: steps.disks,
      stackPatch: mutant('geoip-check-disabled'),
    },
    {
      name: 'gate-checks-source-only',
      description: "The gate refuses on the source's country and forgets the destination's",
      expectFailing: ['foreign-destination-refused', 'fence-logged'],
      stopAfterStep: steps.disks,
      stackPatch: mutant('gate-checks-source-only'),
    },
    {
      name: 'geoip-cidrs-summarised',
      description:
        'The GeoIP database summarises each domestic CIDR to its /12 (fewer map entries), taking neighbours in',
      expectFailing: ['foreign-session-refused', 'fence-logged', 'geoip-database-pinned'],
      stopAfterStep: steps.disks,
      stackPatch: mutant('geoip-cidrs-summarised'),
    },
    {
      name: 'jurisdiction-lowercased',
      description:
        'The GeoIP database writes the jurisdiction in lower case, which the case-sensitive match never finds: every session is foreign',
      expectFailing: ['domestic-session-admitted', 'geoip-database-pinned'],
      stopAfterStep: steps.disks,
      stackPatch: mutant('jurisdiction-lowercased'),
    },
    {
      name: 'frontend-maxconn-from-backlog',
      description:
        "The gate's frontend limit is set from the backlog constant (4096) instead of maxconn, while the global maxconn still reads right",
      expectFailing: ['gate-connection-limits'],
      stackPatch: mutant('frontend-maxconn-from-backlog'),
    },
    {
      name: 'gate-backlog-1024',
      description: "The gate listens with a backlog of 1024, below the manual's 4096",
      expectFailing: ['gate-connection-limits'],
      stackPatch: mutant('gate-backlog-1024'),
    },
  ],
});
