import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import { asEndpoint } from '../../sims/endpoint/endpoint.ts';
import {
  asRouter,
  type RouterCapture,
  type StartedRouter,
} from '../../sims/router/started-router.ts';
import { sendControlTraffic } from '../network-world/control-traffic.ts';
import { observeExchangeCapture } from '../network-world/exchange-capture.ts';
import {
  awaitNetworkControls,
  observeConnectAttempts,
  observeDatagramAttempts,
  observeEndpointRecords,
  observeKernelRuleset,
  observeMessagesLog,
  observeProtocolSweep,
} from '../network-world/network-evidence.ts';
import { domesticCidrs, networkZones } from '../network-world/network-zones.ts';
import { sweepPlan } from '../network-world/sweep-plan.ts';
import { foreignEndpoints, phase } from './egress-checks.ts';

/** Source ports of services a host may run (DNS, NTP), each tried once toward a foreign listener. */
const serviceSourcePorts = [53, 123];

/** The host's fence loaded and the exchange's capture running: egress-default-deny's setup. */
export interface EgressProbes {
  vm: HostVm;
  ixp: StartedRouter;
  capture: RouterCapture;
}

/** Waits for the host's fence and starts the exchange router's capture of what leaves the zone. */
export async function startEgressProbes(
  context: ScenarioContext,
  hostName: string,
): Promise<EgressProbes> {
  const { world } = context;
  const vm = world.host(hostName);
  await context.step('wait for the host to load its fence', () =>
    awaitNetworkControls(context.world, vm),
  );
  const ixp = asRouter(world.sim('ixp'));
  const capture = await ixp.startCapture('egress', {
    zone: 'foreign',
    filter: `src net ${networkZones.sovereign.cidrs[0] ?? ''}`,
  });
  return { vm, ixp, capture };
}

/**
 * egress-default-deny's probes: the harness's own packets to every foreign listener (the positive
 * control), then every target tried from the host over TCP, UDP and ICMP, what arrived abroad and
 * crossed the exchange counted, and the host's fence read from its kernel and its drop records.
 */
export async function probeEgress(context: ScenarioContext, probes: EgressProbes): Promise<void> {
  const { world } = context;
  const { vm, ixp, capture } = probes;
  const address = (name: string) => asEndpoint(world.sim(name)).address;
  // The sovereign API's listener besides 443, from its own options: the fence must not let it out.
  const otherApiPort = asEndpoint(world.sim('sovereign-api')).options.tcpPorts.find(
    (p) => p !== 443,
  );
  if (otherApiPort === undefined)
    throw new TypeError('the sovereign-api endpoint listens on no port besides 443');
  // Every foreign listener's ports, from its own options: the harness's control and the host's
  // tries cover the same list, so a port added to a listener is tried from the host too.
  const foreign = foreignEndpoints.map((name) => {
    const endpoint = asEndpoint(world.sim(name));
    return {
      endpoint: name,
      address: endpoint.address,
      tcpPorts: endpoint.options.tcpPorts,
      udpPorts: endpoint.options.udpPorts,
      icmp: endpoint.options.icmp,
    };
  });
  const withUdp = foreign.filter((f) => f.udpPorts.length > 0);
  // The sovereign API's UDP listener is a control target too: a datagram the host sends it must
  // show there if the fence lets it out.
  const api = asEndpoint(world.sim('sovereign-api'));
  const apiUdp = {
    endpoint: 'sovereign-api',
    address: api.address,
    tcpPorts: [],
    udpPorts: api.options.udpPorts,
    icmp: false,
  };
  await context.step(
    "send the harness's own packets to every foreign listener (positive control)",
    () => sendControlTraffic(context, 'sovereign', phase, [...foreign, apiUdp]),
  );
  await context.step('try every target from the host', () =>
    observeConnectAttempts(context, vm, phase, [
      { role: 'domestic', address: address('domestic-app'), port: 443 },
      { role: 'domestic', address: address('domestic-app'), port: 8080 },
      { role: 'sovereign-api', address: address('sovereign-api'), port: 443 },
      { role: 'sovereign-api-other-port', address: address('sovereign-api'), port: otherApiPort },
      ...foreign.flatMap((f) =>
        f.tcpPorts.map((port) => ({ role: 'foreign' as const, address: f.address, port })),
      ),
    ]),
  );
  await context.step('send UDP datagrams and ICMP echo requests from the host', () =>
    observeDatagramAttempts(context, vm, phase, [
      { role: 'domestic', proto: 'udp', address: address('domestic-app'), port: 514 },
      { role: 'domestic', proto: 'icmp', address: address('domestic-app') },
      ...apiUdp.udpPorts.map((port) => ({
        role: 'sovereign-api-udp',
        proto: 'udp' as const,
        address: apiUdp.address,
        port,
      })),
      ...foreign.flatMap((f) => [
        ...f.udpPorts.map((port) => ({
          role: 'foreign' as const,
          proto: 'udp' as const,
          address: f.address,
          port,
        })),
        ...(f.icmp
          ? [{ role: 'foreign' as const, proto: 'icmp' as const, address: f.address }]
          : []),
      ]),
      // From the source ports of services a host may run (DNS, NTP): a fence that lets their
      // "replies" out by source port, with no connection tracking, lets these out too.
      ...serviceSourcePorts.flatMap((sourcePort, i) => {
        const f = withUdp[i % withUdp.length];
        const port = f?.udpPorts[0];
        return f === undefined || port === undefined
          ? []
          : [
              {
                role: 'foreign' as const,
                proto: 'udp' as const,
                address: f.address,
                port,
                sourcePort,
              },
            ];
      }),
    ]),
  );
  // After the targets are tried, so that the drop records of the targets the checks judge are
  // written before the sweep's; the sweep's own drops need no record, only the capture's silence.
  const [sweepTarget] = foreign;
  if (sweepTarget === undefined) throw new TypeError('no foreign listener to sweep toward');
  await context.step(
    'sweep every other port and IP protocol toward a foreign address from the host',
    () =>
      observeProtocolSweep(context, vm, phase, {
        address: sweepTarget.address,
        ...sweepPlan,
      }),
  );
  await context.step('count what arrived abroad and what crossed the exchange', async () => {
    await observeEndpointRecords(
      context,
      phase,
      [...foreignEndpoints, 'sovereign-api'],
      domesticCidrs,
    );
    const seen = await capture.stop();
    observeExchangeCapture(context, ixp.name, seen, phase);
    context.observe('exchange-counters', {
      phase,
      router: ixp.name,
      counters: await ixp.counters(),
    });
  });
  await context.step('read the host fence from the kernel and its drop records', async () => {
    await observeKernelRuleset(context, vm, phase);
    await observeMessagesLog(context, vm, phase);
  });
}
