import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { observerAddress } from '../network-world/control-traffic.ts';
import { observeForeignEcho } from '../network-world/foreign-echo.ts';
import {
  awaitNetworkControls,
  observeDatagramAttempts,
  observeMessagesLog,
} from '../network-world/network-evidence.ts';
import { borderRouters, borderZones } from '../network-world/network-zones.ts';
import {
  egressPullName,
  egressWindowPhase,
  foreignEchoPhase,
  pullOnlyChecks,
} from './pull-only-checks.ts';
import {
  observeForeignScan,
  observeListeningPorts,
  observeNetworkTuning,
  observeSovereignPull,
  wellKnownPorts,
} from './pull-only-evidence.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** The steps a mutant's schedule may stop after (Mutant.stopAfterStep). */
const steps = {
  pull: 'pull the metrics from the sovereign monitor',
} as const;

/**
 * The manual's hardening advice: monitoring is pulled by a sovereign monitor, never pushed, and
 * nothing of a host is reachable from a foreign region. The foreign region's observer tries every
 * port the host's kernel lists as listening, through the exchange.
 */
export default defineScenario({
  name: 'pull-only-monitoring',
  description:
    'The sovereign monitor pulls; from a foreign region no port of the host accepts a connection and no echo request is answered',
  needs: [],
  sections: ['monitoring'],
  topology: {
    zones: borderZones,
    services: [...borderRouters],
    hosts: [{ name: 'vm1', zone: 'sovereign' }],
  },
  async run(context) {
    const vm = context.world.host('vm1');
    await context.step('wait for the host to fence itself', () =>
      awaitNetworkControls(context.world, vm),
    );
    await context.step(steps.pull, () => observeSovereignPull(context, vm));
    await context.step(
      'send three datagrams from the host to the foreign region, and pull again',
      async () => {
        // The fence refuses them on the way out: the egress counter of the next pull must show them.
        const foreign = observerAddress(context.world, 'foreign');
        await observeDatagramAttempts(
          context,
          vm,
          egressWindowPhase,
          [514, 123, 161].map((port) => ({
            role: 'foreign-observer',
            proto: 'udp',
            address: foreign,
            port,
          })),
        );
        await observeSovereignPull(context, vm, egressPullName);
      },
    );
    const listening = await context.step('list what the host listens on', () =>
      observeListeningPorts(context, vm),
    );
    await context.step('try every port from the foreign region, and ping the host', async () => {
      await observeForeignScan(
        context,
        vm,
        'foreign',
        [...new Set([...listening, ...wellKnownPorts])].sort((a, b) => a - b),
      );
      await observeForeignEcho(context, {
        phase: foreignEchoPhase,
        foreignZone: 'foreign',
        hostAddress: vm.address,
        controlAddress: observerAddress(context.world, vm.spec.zone),
      });
    });
    await context.step('read the machine settings and the host records', async () => {
      await observeNetworkTuning(context, vm);
      await observeMessagesLog(context, vm, 'scanned');
      // After the log: every record read was counted before it was written, so the counter
      // read now holds at least as many packets as the records.
      await observeSovereignPull(context, vm, 'sovereign-pull-after-scan');
    });
  },
  checks: pullOnlyChecks,
  mutants: [
    {
      name: 'agent-on-all-interfaces',
      description:
        'The monitoring agent listens on all interfaces and its port is open to every source',
      expectFailing: ['foreign-region-reaches-no-port'],
      stackPatch: join(here, 'mutants', 'agent-on-all-interfaces.patch'),
    },
    {
      name: 'rp-filter-loose',
      description:
        'Reverse-path filtering is loose ("for asymmetric routes"): a spoofed source routable through any interface is let in',
      expectFailing: ['network-tuning'],
      stackPatch: join(here, 'mutants', 'rp-filter-loose.patch'),
    },
    {
      name: 'source-route-accepted',
      description:
        'The machine accepts source-routed packets ("the exchange\u2019s diagnostics use loose source routing"): a sender abroad can choose the path back through the zone',
      expectFailing: ['network-tuning'],
      stackPatch: join(here, 'mutants', 'source-route-accepted.patch'),
    },
    {
      name: 'agent-on-loopback',
      description:
        'The monitoring agent listens on loopback only ("never exposed"): nothing outside the host, the sovereign monitor included, can pull it',
      expectFailing: ['sovereign-monitor-pulls'],
      stopAfterStep: steps.pull,
      stackPatch: join(here, 'mutants', 'agent-on-loopback.patch'),
    },
    {
      name: 'ingress-counter-wrong-chain',
      description:
        'The metrics read the foreign-ingress counter off the filter table\'s INPUT chain ("foreign packets are dropped in INPUT"), which holds no record rule: the counter says 0 whatever the fence refuses',
      expectFailing: ['fence-counters-count-foreign-packets'],
      stackPatch: join(here, 'mutants', 'ingress-counter-wrong-chain.patch'),
    },
    {
      name: 'egress-counter-copied-from-ingress',
      description:
        'The metrics\' egress counter is a copy of the ingress line ("raw", "PREROUTING"): egress_dropped_packets counts foreign packets refused in, never the host\'s refused out',
      expectFailing: ['fence-counters-count-egress-drops'],
      stackPatch: join(here, 'mutants', 'egress-counter-copied-from-ingress.patch'),
    },
    {
      name: 'fence-counters-in-bytes',
      description:
        'The metrics read the fence counters off the bytes column of `iptables -L -v -x` (pkts, bytes, target...): both counters grow by tens per packet',
      expectFailing: ['fence-counters-count-foreign-packets', 'fence-counters-count-egress-drops'],
      stackPatch: join(here, 'mutants', 'fence-counters-in-bytes.patch'),
    },
    {
      name: 'echo-open-to-all',
      description:
        'The fence accepts ICMP echo requests from any source ("allow ping: the operators\' reachability checks come from anywhere"): a foreign region learns the host is there',
      expectFailing: ['no-echo-to-foreign-region'],
      stackPatch: join(here, 'mutants', 'echo-open-to-all.patch'),
    },
    {
      name: 'martians-on-unread-group',
      description:
        'The martian records go to an NFLOG group of their own that the drop logger does not read: foreign sources are still refused, and nothing records them',
      expectFailing: ['martian-source-logged'],
      stackPatch: join(here, 'mutants', 'martians-on-unread-group.patch'),
    },
  ],
});
