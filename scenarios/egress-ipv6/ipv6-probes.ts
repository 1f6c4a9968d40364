import { machineProbe } from '../../harness/checks/probes/machine-probe.ts';
import {
  neighbourSolicitation,
  type SolicitationProbe,
} from '../../harness/checks/probes/neighbour-solicitation.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { asEndpoint } from '../../sims/endpoint/endpoint.ts';
import {
  asRouter,
  type RouterCapture,
  type StartedRouter,
} from '../../sims/router/started-router.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import { sendControlTraffic } from '../network-world/control-traffic.ts';
import { observeForeignEcho } from '../network-world/foreign-echo.ts';
import { observeExchangeCapture } from '../network-world/exchange-capture.ts';
import {
  awaitNetworkControls,
  observeConnectAttempts,
  observeDatagramAttempts,
  observeEndpointRecords,
  observeMessagesLog,
  observeProtocolSweep,
} from '../network-world/network-evidence.ts';
import { sweepPlan } from '../network-world/sweep-plan.ts';
import { observerName } from '../../harness/topology/address-plan.ts';
import { ipv6Ranges } from './ipv6-world.ts';

export const phase = 'ipv6';

/** The crafted neighbour solicitation the host's namespace sent abroad: the capture judges it. */
export const solicitationAbroad = observationKey<{ phase: string; probe: SolicitationProbe }>(
  'neighbour-solicitation-abroad',
);

/** The host's fence loaded and the exchange's IPv6 capture running: egress-ipv6's setup. */
export interface Ipv6Probes {
  vm: HostVm;
  ixp: StartedRouter;
  capture: RouterCapture;
}

/** Waits for the host's fence and starts the exchange router's capture of the zone's IPv6. */
export async function startIpv6Probes(
  context: ScenarioContext,
  hostName: string,
): Promise<Ipv6Probes> {
  const vm = context.world.host(hostName);
  await context.step('wait for the host to load its fence', () =>
    awaitNetworkControls(context.world, vm),
  );
  const ixp = asRouter(context.world.sim('ixp'));
  const capture = await ixp.startCapture('egress-ipv6', {
    zone: 'foreign',
    filter: `ip6 and src net ${ipv6Ranges.sovereign}`,
  });
  return { vm, ixp, capture };
}

/**
 * egress-ipv6's probes, all over IPv6: the zone observer's control packets to the foreign
 * listener, then the host's TCP, UDP and ICMPv6 to the domestic and the foreign listener, what
 * arrived abroad read from the foreign listener's own record and from the exchange's capture.
 */
export async function probeIpv6Egress(
  context: ScenarioContext,
  { vm, ixp, capture }: Ipv6Probes,
): Promise<void> {
  const { world } = context;
  const domestic = world.ipv6Address('sovereign', 'domestic-app');
  const foreign = world.ipv6Address('foreign', 'foreign-api');
  const foreignOptions = asEndpoint(world.sim('foreign-api')).options;
  await context.step(
    "send the harness's own IPv6 packets to the foreign listener (positive control)",
    () =>
      sendControlTraffic(
        context,
        'sovereign',
        phase,
        [
          {
            endpoint: 'foreign-api',
            address: foreign,
            tcpPorts: foreignOptions.tcpPorts,
            udpPorts: foreignOptions.udpPorts,
            icmp: true,
          },
        ],
        world.ipv6Address('sovereign', observerName('sovereign')),
      ),
  );
  await context.step('try every IPv6 target from the host', async () => {
    // Neighbour discovery's type and hop limit, to a foreign address: only a fence that lets
    // discovery out to the link alone keeps it in.
    context.observe(solicitationAbroad, {
      phase,
      probe: await neighbourSolicitation(
        await machineProbe(world, vm.machine),
        foreign,
        `sovh-egress-${phase}`,
      ),
    });
    await observeConnectAttempts(context, vm, phase, [
      { role: 'domestic', address: domestic, port: 443 },
      ...foreignOptions.tcpPorts.map((port) => ({ role: 'foreign', address: foreign, port })),
    ]);
    await observeDatagramAttempts(context, vm, phase, [
      { role: 'domestic', proto: 'udp', address: domestic, port: 514 },
      { role: 'domestic', proto: 'icmp', address: domestic },
      ...foreignOptions.udpPorts.map((port) => ({
        role: 'foreign',
        proto: 'udp' as const,
        address: foreign,
        port,
      })),
      { role: 'foreign', proto: 'icmp', address: foreign },
    ]);
  });
  // Inbound too: an echo request from abroad must get no reply, which would cross the exchange.
  await context.step("ping the host's IPv6 address from the foreign region", () =>
    observeForeignEcho(context, {
      phase,
      foreignZone: 'foreign',
      hostAddress: world.ipv6Address('sovereign', vm.machine.spec.name),
      controlAddress: world.ipv6Address('sovereign', observerName('sovereign')),
      fromAddress: world.ipv6Address('foreign', observerName('foreign')),
    }),
  );
  // Last before the count, so that the records the checks judge (the targets' drops, the foreign
  // pinger's martian) are written before the sweep's; the sweep's own need none.
  await context.step(
    'sweep every other port and IP protocol toward the foreign IPv6 address from the host',
    () => observeProtocolSweep(context, vm, phase, { address: foreign, ...sweepPlan }),
  );
  await context.step('count what arrived abroad and what crossed the exchange', async () => {
    await observeEndpointRecords(context, phase, ['foreign-api'], [ipv6Ranges.sovereign]);
    observeExchangeCapture(context, ixp.name, await capture.stop(), phase);
    await observeMessagesLog(context, vm, phase);
  });
}
