import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { borderRouters, borderZones } from '../network-world/network-zones.ts';
import { egressChecks } from './egress-checks.ts';
import { probeEgress, startEgressProbes } from './egress-probes.ts';

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
        // UDP 443 too (HTTP/3): the site file names the API's TCP port, and the fence lets out no more.
        options: {
          tcpPorts: [443, unnamedApiPort],
          udpPorts: [443],
          sovereignApiFor: ['sovereign'],
        },
      },
      // Foreign listeners on the ports a careless fence lets out: web and QUIC, DNS (UDP, TCP and
      // over TLS), NTP, KMIP, and the pushes a host is asked for (remote syslog, OpenTelemetry,
      // a DHCP server's port).
      {
        name: 'foreign-api',
        kind: 'endpoint',
        zone: 'foreign',
        options: { tcpPorts: [443, 80, 53, 853, 4317], udpPorts: [53, 443, 514], icmp: true },
      },
      {
        name: 'foreign-kms',
        kind: 'endpoint',
        zone: 'foreign',
        options: { tcpPorts: [5696], udpPorts: [123, 67], icmp: true },
      },
    ],
    hosts: [{ name: 'vm1', zone: 'sovereign' }],
  },
  async run(context) {
    const probes = await startEgressProbes(context, 'vm1');
    await probeEgress(context, probes);
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
      name: 'replies-by-source-port',
      description:
        "The fence lets a resolver's answers out by their source port, 53, without connection tracking: any datagram from port 53 leaves, to anywhere",
      expectFailing: ['foreign-endpoints-receive-nothing', 'drops-logged-geographic-fence-error'],
      stackPatch: join(here, 'mutants', 'replies-by-source-port.patch'),
    },
    {
      name: 'icmp-egress-open',
      description:
        'The fence accepts ICMP to anywhere (for ping and path MTU discovery); OUTPUT policy stays DROP and TCP and UDP are still fenced',
      expectFailing: ['foreign-endpoints-receive-nothing', 'drops-logged-geographic-fence-error'],
      stackPatch: join(here, 'mutants', 'icmp-egress-open.patch'),
    },
    {
      name: 'dot-egress-open',
      description:
        'The fence accepts DNS over TLS (TCP 853) to anywhere, "for resolvers that only speak it"; every other port stays fenced (its drops logged as before)',
      expectFailing: ['foreign-endpoints-receive-nothing', 'drops-logged-geographic-fence-error'],
      stackPatch: join(here, 'mutants', 'dot-egress-open.patch'),
    },
    {
      name: 'syslog-egress-open',
      description:
        'The fence accepts remote syslog (UDP 514) to anywhere, "for the SIEM"; every other port stays fenced: the host can push its logs abroad',
      expectFailing: ['foreign-endpoints-receive-nothing', 'drops-logged-geographic-fence-error'],
      stackPatch: join(here, 'mutants', 'syslog-egress-open.patch'),
    },
    {
      name: 'sovereign-api-rule-sport',
      description:
        "The sovereign API's egress rule matches the source port (copied from the inbound reply rule) instead of the destination port: the host cannot reach the API it is allowed",
      expectFailing: ['domestic-and-sovereign-api-reachable'],
      stackPatch: join(here, 'mutants', 'sovereign-api-rule-sport.patch'),
    },
    {
      name: 'sovereign-api-exception-dport',
      description:
        "The inbound exception for the sovereign API's replies matches the destination port (the mirror of the egress rule) instead of the source port: the replies still come in as an established connection, and each is recorded as a foreign source trying to get in",
      expectFailing: ['sovereign-api-replies-not-martian'],
      stackPatch: join(here, 'mutants', 'sovereign-api-exception-dport.patch'),
    },
    {
      name: 'sovereign-api-udp-open',
      description:
        'The sovereign API\'s egress rule is written for TCP and UDP alike, like the resolver rule below it ("the API speaks HTTP/3"): the host can send datagrams to an endpoint outside the domestic CIDRs that the site file allows for TCP only',
      expectFailing: ['sovereign-api-only-on-443'],
      stackPatch: join(here, 'mutants', 'sovereign-api-udp-open.patch'),
    },
    {
      name: 'ipsec-egress-open',
      description:
        'The fence lets IKE (UDP 500 and 4500) and ESP out to anywhere "for the host\'s own IPsec to the other site": no port or protocol the host tries, so only the sweep of every port and protocol finds it',
      expectFailing: ['foreign-endpoints-receive-nothing'],
      stackPatch: join(here, 'mutants', 'ipsec-egress-open.patch'),
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
