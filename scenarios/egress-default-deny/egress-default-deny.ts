import { observeExchangeCapture } from '../network-world/exchange-capture.ts';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { asEndpoint } from '../../sims/endpoint/endpoint.ts';
import { asRouter } from '../../sims/router/started-router.ts';
import {
  awaitNetworkControls,
  observeConnectAttempts,
  observeDatagramAttempts,
  observeEndpointRecords,
  observeKernelRuleset,
  observeMessagesLog,
} from '../network-world/network-evidence.ts';
import {
  borderRouters,
  borderZones,
  domesticCidrs,
  networkZones,
} from '../network-world/network-zones.ts';
import { sendControlTraffic } from '../network-world/control-traffic.ts';
import { egressChecks, foreignEndpoints, phase } from './egress-checks.ts';

const here = dirname(fileURLToPath(import.meta.url));
/**
 * A second port the sovereign API listens on that the site file does not name: the fence lets the
 * API out on its named port only. A harness choice, on purpose none of the ports the contract has
 * a host serve, so that no reader takes it for one of the stack's.
 */
const unnamedApiPort = 4443;

/**
 * The manual's step 2: default-deny egress. From the host, domestic targets and the named
 * sovereign API answer; every foreign endpoint, tried over TCP, UDP (DNS, QUIC, NTP) and ICMP,
 * receives nothing (counted at the endpoints and in the exchange router's capture); the host
 * records each drop. The silence counts only because the same listeners and capture saw the
 * packets the harness sent them on purpose from the zone's observer.
 */
export default defineScenario({
  name: 'egress-default-deny',
  description:
    'OUTPUT policy DROP: domestic targets and the sovereign API reachable, foreign endpoints receive nothing over TCP, UDP or ICMP',
  needs: [],
  sections: ['egress'],
  topology: {
    zones: borderZones,
    services: [
      ...borderRouters,
      {
        name: 'domestic-app',
        kind: 'endpoint',
        zone: 'sovereign',
        options: { tcpPorts: [443, 8080], udpPorts: [514], icmp: true },
      },
      // A sovereign provider's API at the exchange: outside the domestic CIDRs, named in the site file.
      {
        name: 'sovereign-api',
        kind: 'endpoint',
        zone: 'exchange',
        options: { tcpPorts: [443, unnamedApiPort], sovereignApiFor: ['sovereign'] },
      },
      // Foreign listeners on the ports a careless fence lets out: web and QUIC, DNS, NTP, KMIP.
      {
        name: 'foreign-api',
        kind: 'endpoint',
        zone: 'foreign',
        options: { tcpPorts: [443, 80], udpPorts: [53, 443], icmp: true },
      },
      {
        name: 'foreign-kms',
        kind: 'endpoint',
        zone: 'foreign',
        options: { tcpPorts: [5696], udpPorts: [123], icmp: true },
      },
    ],
    hosts: [{ name: 'vm1', zone: 'sovereign' }],
  },
  async run(context) {
    const { world } = context;
    const vm = world.host('vm1');
    const address = (name: string) => asEndpoint(world.sim(name)).address;
    await context.step('wait for the host to load its fence', () =>
      awaitNetworkControls(context.world, vm),
    );
    const ixp = asRouter(world.sim('ixp'));
    const capture = await ixp.startCapture('egress', {
      zone: 'foreign',
      filter: `src net ${networkZones.sovereign.cidrs[0] ?? ''}`,
    });
    await context.step(
      "send the harness's own packets to every foreign listener (positive control)",
      () =>
        sendControlTraffic(
          context,
          'sovereign',
          phase,
          foreignEndpoints.map((name) => {
            const endpoint = asEndpoint(world.sim(name));
            return {
              endpoint: name,
              address: endpoint.address,
              tcpPorts: endpoint.options.tcpPorts,
              udpPorts: endpoint.options.udpPorts,
              icmp: endpoint.options.icmp,
            };
          }),
        ),
    );
    await context.step('try every target from the host', () =>
      observeConnectAttempts(context, vm, phase, [
        { role: 'domestic', address: address('domestic-app'), port: 443 },
        { role: 'domestic', address: address('domestic-app'), port: 8080 },
        { role: 'sovereign-api', address: address('sovereign-api'), port: 443 },
        {
          role: 'sovereign-api-other-port',
          address: address('sovereign-api'),
          port: unnamedApiPort,
        },
        { role: 'foreign', address: address('foreign-api'), port: 443 },
        { role: 'foreign', address: address('foreign-api'), port: 80 },
        { role: 'foreign', address: address('foreign-kms'), port: 5696 },
      ]),
    );
    await context.step('send UDP datagrams and ICMP echo requests from the host', () =>
      observeDatagramAttempts(context, vm, phase, [
        { role: 'domestic', proto: 'udp', address: address('domestic-app'), port: 514 },
        { role: 'domestic', proto: 'icmp', address: address('domestic-app') },
        { role: 'foreign', proto: 'udp', address: address('foreign-api'), port: 53 },
        { role: 'foreign', proto: 'udp', address: address('foreign-api'), port: 443 },
        { role: 'foreign', proto: 'udp', address: address('foreign-kms'), port: 123 },
        { role: 'foreign', proto: 'icmp', address: address('foreign-api') },
        { role: 'foreign', proto: 'icmp', address: address('foreign-kms') },
      ]),
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
  },
  checks: egressChecks,
  mutants: [
    {
      name: 'udp-egress-open',
      description:
        'The fence accepts UDP wholesale (a rule meant for DNS and NTP without a destination); OUTPUT policy stays DROP and TCP is still fenced',
      expectFailing: ['foreign-endpoints-receive-nothing', 'drops-logged-geographic-fence-error'],
      stackPatch: join(here, 'mutants', 'udp-egress-open.patch'),
    },
    {
      name: 'icmp-egress-open',
      description:
        'The fence accepts ICMP to anywhere (for ping and path MTU discovery); OUTPUT policy stays DROP and TCP and UDP are still fenced',
      expectFailing: ['foreign-endpoints-receive-nothing', 'drops-logged-geographic-fence-error'],
      stackPatch: join(here, 'mutants', 'icmp-egress-open.patch'),
    },
    {
      name: 'sovereign-api-rule-sport',
      description:
        "The sovereign API's egress rule matches the source port (copied from the inbound reply rule) instead of the destination port: the host cannot reach the API it is allowed",
      expectFailing: ['domestic-and-sovereign-api-reachable'],
      stackPatch: join(here, 'mutants', 'sovereign-api-rule-sport.patch'),
    },
    {
      name: 'output-policy-accept',
      description:
        'The fence is loaded with OUTPUT policy ACCEPT: anything not explicitly allowed leaves anyway',
      expectFailing: [
        'foreign-endpoints-receive-nothing',
        'output-policy-drop',
        'sovereign-api-only-on-443',
      ],
      stackPatch: join(here, 'mutants', 'output-policy-accept.patch'),
    },
  ],
});
