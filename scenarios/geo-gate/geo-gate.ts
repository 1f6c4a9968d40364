import { dirname, join } from 'node:path';
import { injectFault } from '../../harness/faults/inject-fault.ts';
import { fileURLToPath } from 'node:url';
import { awaitServing } from '../../harness/checks/probes/serving-probe.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { nthAddress } from '../../harness/util/cidr.ts';
import { foreignBackendRefusesBoot } from './foreign-backend-check.ts';
import { observeForeignBackendBoot } from './foreign-backend.ts';
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

import { gateSessionsLoggedCheck, observeGateLog } from './gate-log.ts';
import {
  gateRelaysProxyV2Check,
  observeProxyControl,
  observeRelayedProxyHeaders,
} from './proxy-version.ts';

const here = dirname(fileURLToPath(import.meta.url));
const backend = 'api-backend';
const mutant = (name: string) => join(here, 'mutants', `${name}.patch`);
/** The offset of the host's foreign address in the foreign zone's subnet: no node of it uses it. */
const foreignAddressOffset = 250;

/**
 * A second sovereign zone whose one host has a gate backend abroad in its site file:
 * its boot must be refused. Another jurisdiction, so the first host's database stays as it was.
 */
const gatedAbroad = { zone: 'sovereign-fr', host: 'gate2', backend: 'api-abroad' } as const;

/** The steps a mutant's schedule may stop after (Mutant.stopAfterStep). */
const steps = {
  disks: 'read what the backend and the host disks hold',
  burst: 'a burst of connections to the gate',
} as const;

/**
 * The manual's localized load balancer: sessions are admitted only when both ends are domestic
 * by a GeoIP database generated from the site and pinned by hash. Clients in a foreign region and
 * at the exchange next door reach the gate and are refused; a domestic client gets through, but
 * not when it calls the host at an address outside the jurisdiction; the gate holds its
 * connection limits under a real burst; and a host whose site file puts a gate backend abroad
 * refuses the boot.
 */
export default defineScenario({
  name: 'geo-gate',
  description:
    'The GeoIP gate admits only domestic-to-domestic sessions (foreign sources and a foreign destination refused), as seen by the clients and the backend, and holds its connection limits under a burst; a gate backend abroad refuses the boot',
  needs: [],
  sections: ['geo-gate', 'tls13'],
  topology: {
    zones: [
      { name: zones.sovereign, jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.43.0.0/16'] },
      // Next to the domestic range on purpose (both inside 10.32.0.0/12): a database that widens
      // the domestic CIDRs takes the exchange in.
      { name: zones.exchange, jurisdiction: 'NL', kind: 'exchange', cidrs: ['10.38.0.0/16'] },
      { name: zones.foreign, jurisdiction: 'US', kind: 'foreign', cidrs: ['10.83.0.0/16'] },
      { name: gatedAbroad.zone, jurisdiction: 'FR', kind: 'sovereign', cidrs: ['10.52.0.0/16'] },
    ],
    services: [
      {
        name: 'ixp',
        kind: 'router',
        zone: zones.exchange,
        legs: [zones.sovereign, zones.foreign, gatedAbroad.zone],
      },
      {
        name: backend,
        kind: 'sovereign-api',
        zone: zones.sovereign,
        options: { gateBackend: true },
      },
      // Behind the second zone's gate only, from abroad.
      {
        name: gatedAbroad.backend,
        kind: 'sovereign-api',
        zone: zones.foreign,
        options: { gateBackend: true, servesZones: [gatedAbroad.zone] },
      },
    ],
    hosts: [
      { name: 'gate1', zone: zones.sovereign },
      { name: gatedAbroad.host, zone: gatedAbroad.zone },
    ],
  },
  async run(context) {
    const { world } = context;
    const gate = world.host('gate1');
    await context.step('boot and open the gate', async () => {
      await awaitServing(world, gate, bootTimeoutMs);
      await awaitGate(context, gate);
    });
    await context.step('the harness sends the backend a PROXY v1 and a v2 header of its own', () =>
      observeProxyControl(context, zones.sovereign, backend),
    );
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
      await observeGateLog(context, gate);
      await observeRelayedProxyHeaders(context, backend);
    });
    await context.step(steps.burst, () => observeBurst(context, gate, backend));
    // Booted with the world: by now its stack has long decided.
    await context.step(
      `${gatedAbroad.host}, whose site puts ${gatedAbroad.backend} abroad behind its gate, refuses the boot`,
      () => observeForeignBackendBoot(context, world.host(gatedAbroad.host), gatedAbroad.backend),
    );
  },
  checks: [
    ...geoGateChecks,
    gateSessionsLoggedCheck,
    gateRelaysProxyV2Check,
    foreignBackendRefusesBoot,
  ],
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
      name: 'gate-log-not-written',
      description:
        "The gate's output goes to the residency log's fence lines only (\"one log is enough\"): the refusals are still logged there, and no session reaches the gate's own log, so nobody can say who reached the sovereign API from where",
      expectFailing: ['gate-sessions-logged'],
      stopAfterStep: steps.disks,
      stackPatch: join(here, 'mutants', 'gate-log-not-written.patch'),
    },
    {
      name: 'gate-proxy-v1',
      description:
        "The gate relays with HAProxy's send-proxy instead of send-proxy-v2: the backend gets the PROXY protocol v1 text header where the contract says v2",
      expectFailing: ['gate-relays-proxy-v2'],
      stopAfterStep: steps.disks,
      stackPatch: mutant('gate-proxy-v1'),
    },
    {
      name: 'foreign-backend-warned-only',
      description:
        'A gate backend outside the domestic CIDRs is logged as GEOGRAPHIC_FENCE_ERROR but the boot goes on ("the site file is the operator\'s word"): domestic sessions are relayed abroad',
      expectFailing: ['foreign-backend-refuses-boot'],
      stackPatch: mutant('foreign-backend-warned-only'),
    },
    {
      name: 'frontend-maxconn-from-backlog',
      description:
        "The gate's frontend limit is set from the backlog constant (4096) instead of maxconn, while the global maxconn still reads right",
      expectFailing: ['gate-connection-limits'],
      stopAfterStep: steps.burst,
      stackPatch: mutant('frontend-maxconn-from-backlog'),
    },
    {
      name: 'gate-backlog-1024',
      description: "The gate listens with a backlog of 1024, below the manual's 4096",
      expectFailing: ['gate-connection-limits'],
      stopAfterStep: steps.burst,
      stackPatch: mutant('gate-backlog-1024'),
    },
  ],
});
