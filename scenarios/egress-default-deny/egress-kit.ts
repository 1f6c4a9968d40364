import { probesAfterScheduleKit } from '../network-world/probe-kit.ts';
import { probeEgress, startEgressProbes } from './egress-probes.ts';

/**
 * The evidence of egress-default-deny's checks, after any schedule: once the host's fence is
 * loaded the exchange's capture starts; when the schedule is over (with its faults still in force)
 * the harness sends its own packets abroad (the positive control), tries every target from the
 * host, counts what arrived abroad and crossed the exchange, and reads the host's fence. It needs
 * egress-default-deny's world (its endpoints and exchange router): take it with `scenario:`.
 */
export const egressKit = probesAfterScheduleKit({
  name: 'egress-probes',
  description:
    "egress-default-deny's probes from the host to domestic, sovereign and foreign listeners after the schedule, counted abroad and at the exchange",
  sections: ['egress'],
  setUp: startEgressProbes,
  probe: probeEgress,
});
