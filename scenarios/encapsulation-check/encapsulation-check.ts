import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { awaitServing } from '../../harness/checks/probes/serving-probe.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import type { TopologyInput } from '../../harness/topology/topology-schema.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import {
  awaitRelay,
  bootTimeoutMs,
  readFromZone,
  sendEnvelope,
  storeObject,
} from '../sovereign-envelope/sovereign-envelope-evidence.ts';
import { encapsulationChecks } from './encapsulation-checks.ts';
import { captureUnderlay, observeTunnels } from './encapsulation-evidence.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** The two sites of the sovereign zone, the two sides of the exchange, and a foreign region. */
const cidrs = {
  siteA: '10.48.0.0/16',
  siteB: '10.49.0.0/16',
  exchangeA: '10.68.0.0/16',
  exchangeB: '10.69.0.0/16',
  foreign: '10.88.0.0/16',
} as const;
const vni = 4242;
const siteRouters = ['gw-a', 'gw-b'] as const;

type ServiceInput = NonNullable<TopologyInput['services']>[number];
type ZoneInput = TopologyInput['zones'][number];

/** A region outside the jurisdiction, for the mutants that reach abroad. */
const foreignZone: ZoneInput = {
  name: 'foreign',
  jurisdiction: 'US',
  kind: 'foreign',
  cidrs: [cidrs.foreign],
};

/**
 * A site router: its site's network and its uplink to the exchange, and its end of the tunnel
 * (with `floodTo`, further routers the VNI's frames are copied to).
 */
function siteRouter(
  name: string,
  site: string,
  uplink: string,
  tunnel: {
    local: string;
    peer: string;
    remote: string;
    carries: string;
    floodTo?: { peer: string; remote: string }[];
  },
): ServiceInput {
  return {
    name,
    kind: 'router',
    zone: site,
    legs: [uplink],
    options: {
      vxlan: [
        {
          vni,
          local: tunnel.local,
          peer: tunnel.peer,
          remote: tunnel.remote,
          carries: [tunnel.carries],
          ...(tunnel.floodTo === undefined ? {} : { floodTo: tunnel.floodTo }),
        },
      ],
    },
  };
}

/**
 * The sovereign zone on two sites, each its own network behind a site router; the routers join
 * the sites with a VXLAN tunnel whose endpoints are their site addresses and whose underlay
 * crosses the exchange point (a router between the two sites' uplinks). The hosts know nothing of
 * the tunnel: the other site is a domestic CIDR routed through their site router.
 */
const topology: TopologyInput = {
  zones: [
    { name: 'site-a', jurisdiction: 'DE', kind: 'sovereign', cidrs: [cidrs.siteA] },
    { name: 'site-b', jurisdiction: 'DE', kind: 'sovereign', cidrs: [cidrs.siteB] },
    { name: 'exchange-a', jurisdiction: 'NL', kind: 'exchange', cidrs: [cidrs.exchangeA] },
    { name: 'exchange-b', jurisdiction: 'NL', kind: 'exchange', cidrs: [cidrs.exchangeB] },
  ],
  services: [
    siteRouter('gw-a', 'site-a', 'exchange-a', {
      local: 'site-a',
      peer: 'gw-b',
      remote: 'site-b',
      carries: cidrs.siteB,
    }),
    siteRouter('gw-b', 'site-b', 'exchange-b', {
      local: 'site-b',
      peer: 'gw-a',
      remote: 'site-a',
      carries: cidrs.siteA,
    }),
    { name: 'ixp', kind: 'router', zone: 'exchange-a', legs: ['exchange-b'] },
    {
      name: 'zone-keys',
      kind: 'sovereign-api',
      zone: 'site-a',
      options: {
        servesZones: ['site-b'],
        zoneKey: { keyId: 'site-a-envelope-1', clientCidrs: [cidrs.siteA, cidrs.siteB] },
      },
    },
  ],
  hosts: [
    { name: 'sender', zone: 'site-a' },
    { name: 'receiver', zone: 'site-b' },
  ],
};

function withServices(
  input: TopologyInput,
  change: (service: ServiceInput) => ServiceInput,
): TopologyInput {
  return { ...input, services: (input.services ?? []).map(change) };
}

/** Site B's router ends the tunnel on an address in a foreign region (a leg of its own there). */
function endpointAbroad(input: TopologyInput): TopologyInput {
  const moved = withServices(input, (s) => {
    if (s.name === 'gw-b')
      return siteRouter('gw-b', 'site-b', 'exchange-b', {
        local: 'foreign',
        peer: 'gw-a',
        remote: 'site-a',
        carries: cidrs.siteA,
      });
    if (s.name === 'gw-a')
      return siteRouter('gw-a', 'site-a', 'exchange-a', {
        local: 'site-a',
        peer: 'gw-b',
        remote: 'foreign',
        carries: cidrs.siteB,
      });
    return s;
  });
  return {
    ...moved,
    zones: [...moved.zones, foreignZone],
    services: (moved.services ?? []).map((s) =>
      s.name === 'gw-b' ? { ...s, legs: ['exchange-b', 'foreign'] } : s,
    ),
  };
}

/**
 * The sovereign VNI is bridged into a foreign segment: a router in a foreign region, across the
 * exchange, ends the same VNI on its own network, and site A's router has it in the VNI's flood
 * list beside site B. The tunnel between the sites stays as it was, domestic at both ends; every
 * frame site A sends into it is also copied abroad.
 */
function vniBridgedAbroad(input: TopologyInput): TopologyInput {
  const bridged = withServices(input, (s) => {
    if (s.name === 'gw-a')
      return siteRouter('gw-a', 'site-a', 'exchange-a', {
        local: 'site-a',
        peer: 'gw-b',
        remote: 'site-b',
        carries: cidrs.siteB,
        floodTo: [{ peer: 'gw-x', remote: 'foreign' }],
      });
    if (s.name === 'ixp') return { ...s, legs: [...(s.legs ?? []), 'foreign'] };
    return s;
  });
  const foreignRouter: ServiceInput = {
    name: 'gw-x',
    kind: 'router',
    zone: 'foreign',
    options: {
      vxlan: [{ vni, local: 'foreign', peer: 'gw-a', remote: 'site-a', carries: [cidrs.siteA] }],
    },
  };
  return {
    ...bridged,
    zones: [...bridged.zones, foreignZone],
    services: [...(bridged.services ?? []), foreignRouter],
  };
}

/** The site routers route the other site plainly over the exchange: no tunnel. */
function tunnelBypassed(input: TopologyInput): TopologyInput {
  return withServices(input, (s) =>
    siteRouters.some((r) => r === s.name) ? { ...s, options: {} } : s,
  );
}

/**
 * The manual's encapsulation check: traffic between two sites of the sovereign zone crosses the
 * exchange only inside a VXLAN tunnel whose both endpoints are domestic, and what rides inside is
 * sealed, because VXLAN itself hides nothing from a tap on the underlay.
 */
export default defineScenario({
  name: 'encapsulation-check',
  description:
    'Two sites of the sovereign zone joined by VXLAN over the exchange: only UDP 4789 between domestic tunnel endpoints crosses, and the payloads inside are sealed envelopes',
  needs: ['vxlan'],
  sections: ['envelope', 'tls13'],
  topology,
  async run(context) {
    const { world } = context;
    const sender = world.host('sender');
    const receiver = world.host('receiver');
    const payloadDraws = context.random.stream('payloads');
    const payloads = ['record-1', 'record-2'].map((id) => ({
      id,
      text: `sovereign record ${payloadDraws.hex(12)}`,
    }));

    await context.step('boot a host at each site', async () => {
      await Promise.all([
        awaitServing(world, sender, bootTimeoutMs),
        awaitServing(world, receiver, bootTimeoutMs),
      ]);
      await awaitRelay(context, sender);
    });
    await context.step('read the tunnels from the site routers', () =>
      observeTunnels(context, siteRouters),
    );
    await context.step('store the payloads at site A', async () => {
      for (const payload of payloads) {
        const stored = await storeObject(context, sender, {
          objectId: payload.id,
          text: payload.text,
        });
        if (!stored.ok)
          throw new SovhError(
            'SCENARIO_STEP_FAILED',
            `the sender did not store ${payload.id}: ${stored.detail}`,
          );
      }
    });
    await context.step('send them to site B while the exchange captures', () =>
      captureUnderlay(
        context,
        { router: 'ixp', from: { zone: 'site-a' }, sender, receiver, payloads },
        async () => {
          for (const payload of payloads) await sendEnvelope(context, sender, receiver, payload.id);
        },
      ),
    );
    await context.step('read them back at site B', async () => {
      for (const payload of payloads)
        await readFromZone(context, receiver, { objectId: payload.id, text: payload.text });
    });
  },
  checks: encapsulationChecks,
  mutants: [
    {
      name: 'tunnel-endpoint-abroad',
      description:
        "Site B's router ends the tunnel on its address in a foreign region: the tunnel still carries the sites' traffic, over an endpoint outside the jurisdiction",
      expectFailing: ['tunnel-endpoints-domestic', 'site-traffic-only-in-tunnel'],
      topology: endpointAbroad,
    },
    {
      name: 'vni-bridged-abroad',
      description:
        "Site A's router also floods the sovereign VNI to a router in a foreign region across the exchange, which ends the same VNI on its own segment: the domestic tunnel stays, and a copy of every frame goes abroad",
      expectFailing: ['tunnel-endpoints-domestic', 'site-traffic-only-in-tunnel'],
      topology: vniBridgedAbroad,
    },
    {
      name: 'tunnel-bypassed',
      description: 'The site routers route the other site plainly across the exchange, untunnelled',
      expectFailing: ['site-traffic-only-in-tunnel'],
      topology: tunnelBypassed,
    },
    {
      name: 'inner-payload-in-clear',
      description:
        'The stack sends its payloads between the sites in clear (the envelope left unsealed): inside the tunnel, but readable on the underlay',
      expectFailing: ['inner-payload-sealed'],
      stackPatch: join(here, '..', 'sovereign-envelope', 'mutants', 'payloads-in-clear.patch'),
    },
  ],
});
