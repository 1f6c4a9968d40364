import { defineScenario } from '../../harness/scenario/scenario.ts';
import type { TopologyInput } from '../../harness/topology/topology-schema.ts';
import { awaitNetworkControls } from '../network-world/network-evidence.ts';
import { ipsecChecks } from './ipsec-checks.ts';
import { captureExchange, drawTunnelKeys, keyTunnel, observeTunnel } from './ipsec-evidence.ts';
import { cidrs, exchangeRouter, sites } from './ipsec-plan.ts';

/** The host at site A whose own traffic to site B must ride the tunnel too. */
export const hostName = 'vm1';

/**
 * The sovereign zone on two sites behind their site routers, site B with two subnets (a lab
 * beside its main network); the routers' uplinks meet at the exchange point. The world routes
 * the sites to each other plainly across the exchange: only the routers' IPsec policies, keyed
 * by the scenario, seal what crosses. The routers' own zone is where their tunnel endpoint is.
 */
const topology: TopologyInput = {
  zones: [
    { name: 'site-a', jurisdiction: 'DE', kind: 'sovereign', cidrs: [cidrs.siteA] },
    { name: 'site-b', jurisdiction: 'DE', kind: 'sovereign', cidrs: [cidrs.siteB] },
    { name: 'site-b-lab', jurisdiction: 'DE', kind: 'sovereign', cidrs: [cidrs.siteBLab] },
    { name: 'exchange-a', jurisdiction: 'NL', kind: 'exchange', cidrs: [cidrs.exchangeA] },
    { name: 'exchange-b', jurisdiction: 'NL', kind: 'exchange', cidrs: [cidrs.exchangeB] },
  ],
  services: [
    { name: sites.a.router, kind: 'router', zone: 'site-a', legs: ['exchange-a'] },
    {
      name: sites.b.router,
      kind: 'router',
      zone: 'site-b',
      legs: ['site-b-lab', 'exchange-b'],
    },
    { name: exchangeRouter, kind: 'router', zone: 'exchange-a', legs: ['exchange-b'] },
  ],
  hosts: [{ name: hostName, zone: 'site-a' }],
};

/**
 * Site B's lab is renumbered into a range the operator's policies do not name: the tunnel still
 * seals site B's main network, and the lab's traffic to site A crosses the exchange in clear.
 */
export function labRenumbered(input: TopologyInput): TopologyInput {
  return {
    ...input,
    zones: input.zones.map((z) =>
      z.name === 'site-b-lab' ? { ...z, cidrs: [cidrs.siteBLabRenumbered] } : z,
    ),
  };
}

/**
 * Site B's router stands in a foreign region: its own zone, where its tunnel endpoint is, is a
 * foreign network (site B's subnets become its legs). The tunnel still seals everything, over an
 * endpoint outside the jurisdiction.
 */
export function endpointAbroad(input: TopologyInput): TopologyInput {
  return {
    ...input,
    zones: [
      ...input.zones,
      { name: 'foreign', jurisdiction: 'US', kind: 'foreign', cidrs: [cidrs.foreign] },
    ],
    services: (input.services ?? []).map((s) =>
      s.name === sites.b.router
        ? { ...s, zone: 'foreign', legs: [...sites.b.zones, 'exchange-b'] }
        : s,
    ),
  };
}

/**
 * The egress row's IPsec: two sites of the sovereign zone joined by a site-to-site ESP tunnel in
 * tunnel mode, keyed by hand on the site routers (`ip xfrm`, no key daemon). Judged from outside:
 * a capture on every leg of the exchange router, and the SAs read back from the routers' kernels.
 */
export default defineScenario({
  name: 'ipsec-tunnel',
  description:
    'Two sites of the sovereign zone joined by an ESP tunnel between their routers: only ESP between domestic endpoints crosses the exchange, nothing between the sites in clear',
  needs: ['xfrm-esp'],
  // The tunnel under the egress fence: the host at site A sends with its fence up, and what it
  // may send to the other site (a domestic CIDR) must cross sealed.
  sections: ['egress'],
  topology,
  async run(context) {
    const host = context.world.host(hostName);
    await context.step('wait for the host at site A', () =>
      awaitNetworkControls(context.world, host),
    );
    await context.step('key the tunnel on the site routers', () =>
      keyTunnel(context, drawTunnelKeys(context)),
    );
    await context.step('read the tunnel from the site routers', () => observeTunnel(context));
    await context.step('send between the sites while the exchange captures', () =>
      captureExchange(context, {
        host,
        canarySides: { from: 'exchange-a', toRouter: sites.b.router, toZone: 'exchange-b' },
      }),
    );
  },
  checks: ipsecChecks,
  mutants: [
    {
      name: 'policy-misses-a-subnet',
      description:
        "Site B's lab subnet is renumbered into a range the routers' policies do not name: the policies cover only site B's main network, and the lab's traffic crosses the exchange in clear",
      expectFailing: ['nothing-crosses-outside-esp'],
      topology: labRenumbered,
    },
    {
      name: 'tunnel-to-foreign-endpoint',
      description:
        "Site B's router ends the tunnel on its address in a foreign region: everything crosses sealed, to an endpoint outside the jurisdiction",
      expectFailing: ['nothing-crosses-outside-esp', 'tunnel-endpoints-domestic'],
      topology: endpointAbroad,
    },
  ],
});
