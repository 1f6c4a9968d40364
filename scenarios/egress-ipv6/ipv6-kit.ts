import { probesAfterScheduleKit } from '../network-world/probe-kit.ts';
import { probeIpv6Egress, startIpv6Probes } from './ipv6-probes.ts';

/**
 * The evidence of egress-ipv6's checks after any schedule: its IPv6 probes from the host to the
 * domestic and the foreign listener, behind the observer's IPv6 control packets, counted at the
 * foreign listener and the exchange. It needs egress-ipv6's dual-stack world: take it with
 * `scenario: egress-ipv6`.
 */
export const ipv6EgressKit = probesAfterScheduleKit({
  name: 'egress-ipv6-probes',
  description:
    "egress-ipv6's IPv6 probes from the host to the domestic and the foreign listener after the schedule, counted abroad and at the exchange",
  sections: ['egress'],
  setUp: startIpv6Probes,
  probe: probeIpv6Egress,
});
