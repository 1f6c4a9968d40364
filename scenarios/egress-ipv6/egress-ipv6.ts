import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { ipv6Checks } from './ipv6-checks.ts';
import { probeIpv6Egress, startIpv6Probes } from './ipv6-probes.ts';
import { ipv6Topology } from './ipv6-world.ts';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The egress fence in the other address family. The zones are dual-stack, so the host has an
 * IPv6 address and a route abroad through the same routers; a fence written for IPv4 alone lets
 * everything out over IPv6 while egress-default-deny, which tries IPv4 only, passes.
 */
export default defineScenario({
  name: 'egress-ipv6',
  description:
    'Dual-stack zones: over IPv6 the domestic listener answers, the foreign one receives nothing (TCP, UDP, ICMPv6), and an echo request from abroad gets no reply',
  needs: ['ipv6'],
  sections: ['egress'],
  topology: ipv6Topology,
  async run(context) {
    await probeIpv6Egress(context, await startIpv6Probes(context, 'vm1'));
  },
  checks: ipv6Checks,
  mutants: [
    {
      name: 'dhcpv6-out-anywhere',
      description:
        'The IPv6 fence lets DHCPv6 out ("the client asks the link\'s relays and servers on UDP 547") without a link scope: UDP 547 leaves for any address, a port no listener has, so only the sweep finds it',
      expectFailing: ['foreign-ipv6-receives-nothing'],
      stackPatch: join(here, 'mutants', 'dhcpv6-out-anywhere.patch'),
    },
    {
      name: 'ipv6-drops-unlogged',
      description:
        'The fence logs only its IPv4 drops ("ulogd here decodes IPv4 only"): IPv6 is dropped as it should be, and no record of it is ever written',
      expectFailing: ['ipv6-drops-logged-geographic-fence-error'],
      stackPatch: join(here, 'mutants', 'ipv6-drops-unlogged.patch'),
    },
    {
      name: 'fence-ipv4-only',
      description:
        'The stack loads its IPv4 fence only (iptables-restore, never ip6tables-restore): IPv6 keeps the kernel default, ACCEPT',
      expectFailing: ['foreign-ipv6-receives-nothing'],
      stackPatch: join(here, 'mutants', 'fence-ipv4-only.patch'),
    },
    {
      name: 'icmpv6-open',
      description:
        'The IPv6 fence accepts all of ICMPv6 ("never block ICMPv6": neighbour and path MTU discovery), not just the link\'s own neighbour discovery: an echo request reaches the foreign region',
      expectFailing: ['foreign-ipv6-receives-nothing'],
      stackPatch: join(here, 'mutants', 'icmpv6-open.patch'),
    },
    {
      name: 'discovery-out-anywhere',
      description:
        'The IPv6 fence lets neighbour discovery out by type and hop limit 255 to any address ("no router forwards hop limit 255"): a solicitation addressed abroad is routed like any packet, and carries bytes across the exchange',
      expectFailing: ['foreign-ipv6-receives-nothing'],
      stackPatch: join(here, 'mutants', 'discovery-out-anywhere.patch'),
    },
    {
      name: 'inbound-icmpv6-open',
      description:
        'The IPv6 fence accepts every ICMPv6 message coming in ("RFC 4890: never drop inbound ICMPv6"), not just the link\'s neighbour discovery: an echo request from abroad is answered, and the reply crosses the exchange',
      expectFailing: ['no-ipv6-echo-abroad', 'foreign-ipv6-receives-nothing'],
      stackPatch: join(here, 'mutants', 'inbound-icmpv6-open.patch'),
    },
    {
      name: 'ipv6-fence-without-neighbour-discovery',
      description:
        "The IPv6 fence is the IPv4 one with the addresses swapped: nothing lets the link's neighbour discovery through, so not even a domestic neighbour is reached",
      expectFailing: ['domestic-ipv6-reachable'],
      stackPatch: join(here, 'mutants', 'ipv6-fence-without-neighbour-discovery.patch'),
    },
    {
      // The IPv4 fence is right, so egress-default-deny passes it: only an IPv6 probe of TCP 853
      // sees it.
      name: 'ipv6-dot-anywhere',
      description:
        'The IPv6 fence lets DNS over TLS (TCP 853) out to any address, "since the site names no IPv6 resolver": a foreign host answers on it',
      expectFailing: ['foreign-ipv6-receives-nothing'],
      stackPatch: join(here, 'mutants', 'ipv6-dot-anywhere.patch'),
    },
    {
      name: 'martians-ipv4-only',
      description:
        'The fence records foreign sources as "Martian Source" for IPv4 only ("it mirrors log_martians, an IPv4 setting"): an IPv6 sender abroad is dropped and leaves no record',
      expectFailing: ['ipv6-foreign-source-recorded'],
      stackPatch: join(here, 'mutants', 'martians-ipv4-only.patch'),
    },
  ],
});
