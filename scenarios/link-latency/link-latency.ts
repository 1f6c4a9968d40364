import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { iperfUdpLoss, type UdpLossResult } from '../../harness/checks/probes/iperf-probe.ts';
import { machineProbe } from '../../harness/checks/probes/machine-probe.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import type { TopologyInput } from '../../harness/topology/topology-schema.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import { asEndpoint, type StartedEndpoint } from '../../sims/endpoint/endpoint.ts';
import { asRouter } from '../../sims/router/started-router.ts';
import { observeMtr, type MtrPath } from '../network-world/bgp-evidence.ts';
import { awaitNetworkControls } from '../network-world/network-evidence.ts';
import { domesticCidrs, networkZones } from '../network-world/network-zones.ts';

const here = dirname(fileURLToPath(import.meta.url));
/** A machine of the zone without a stack: the control of the UDP loss test. */
const bareMachine = 'bare';
/** The steps a mutant's schedule may stop after (Mutant.stopAfterStep). */
const steps = {
  inboundLoss: 'measure loss and jitter of the domestic site sending with iperf3',
} as const;
/** The thresholds the site holds its sovereign link to (round trip and loss), and the link itself. */
export const thresholds = { maxRttMs: 25, maxLossPercent: 1 };
export const sovereignLink = { delayMs: 5 };
/** The long way round: a carrier at the exchange with a path into the domestic site. */
const exchangePathDelayMs = 40;
/** How close the measured added delay must be to the asked one: 1 ms plus 15 %. */
const delayToleranceMs = (askedMs: number) => 1 + 0.15 * askedMs;

interface BorderCrossings {
  router: string;
  from: string;
  to: string;
  beforePackets: number;
  afterPackets: number;
}

/** The UDP test: 1380 datagrams, so that the 1 % threshold is 13 of them, not 5. */
const udpTest = { rateMbit: 4, seconds: 4 };
/** Pairs of tests made when the machine or the harness dropped packets during the pair before. */
const udpAttempts = 2;

interface UdpLoss {
  /** The host's test judged: the last one made. */
  judged: UdpLossResult;
  /** The same test from a machine of the zone without a stack, right after it. */
  control: UdpLossResult;
  /** Pairs over the threshold made void because the machine or the harness dropped packets. */
  voided: { judged: UdpLossResult; control: UdpLossResult }[];
}

type UdpDirection = 'outbound' | 'inbound';
const udpLossObservation: Record<UdpDirection, string> = {
  outbound: 'udp-loss',
  inbound: 'udp-loss-inbound',
};

/** What the stack adds to the world's own loss, in percent of the datagrams sent. */
export function stackLossPercent(loss: Pick<UdpLoss, 'judged' | 'control'>): number {
  return loss.judged.lostPercent - loss.control.lostPercent;
}

const harnessDrops = (test: UdpLossResult) =>
  test.machineDrops + test.receiverBufferDrops + test.linkSimulatorDrops;

/**
 * iperf3 UDP loss between the host's machine and the domestic site's iperf3 server, each test
 * followed by the same test from a bare machine of the zone (no stack): the world's links are the
 * world's, and the stack is judged by what it adds. A CI run once lost 39 of 1380 datagrams on the
 * reference stack with ping at 0 % and no counter of the machine or the harness moving, so the
 * path itself can lose packets on a loaded machine. A pair over the threshold while the machine's
 * receive backlog, the receiver's socket buffer or a router's delay line overflowed is made once
 * more, and the voided pair stays in the evidence. Outbound the host sends; inbound the site sends
 * to the host (`iperf3 -R`), through the stack's input path, which an outbound test never crosses.
 */
async function observeUdpLoss(
  context: ScenarioContext,
  host: HostVm,
  receiver: StartedEndpoint,
  direction: UdpDirection,
): Promise<UdpLoss> {
  const [probe, bare] = await Promise.all([
    machineProbe(context.world, host.machine),
    machineProbe(context.world, context.world.machine(bareMachine)),
  ]);
  const routers = context.world
    .allSims()
    .filter((sim) => sim.kind === 'router')
    .map((sim) => asRouter(sim).container);
  const test = (from: typeof probe) =>
    iperfUdpLoss(from, receiver.address, {
      ...udpTest,
      receiver: receiver.container,
      linkSimulators: routers,
      inbound: direction === 'inbound',
    });
  const voided: UdpLoss['voided'] = [];
  for (;;) {
    const judged = await test(probe);
    const control = await test(bare);
    const spoiled =
      judged.ok &&
      control.ok &&
      stackLossPercent({ judged, control }) > thresholds.maxLossPercent &&
      harnessDrops(judged) + harnessDrops(control) > 0;
    if (!spoiled || voided.length + 1 >= udpAttempts)
      return context.observe(udpLossObservation[direction], {
        judged,
        control,
        voided,
      } satisfies UdpLoss);
    voided.push({ judged, control });
  }
}

interface PingSeries {
  target: string;
  sent: number;
  rttsMs: number[];
  medianMs: number;
  lossPercent: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** A series of pings from the host's machine: the median round trip is the link's latency. */
async function observePings(
  context: ScenarioContext,
  host: HostVm,
  target: string,
  count = 100,
): Promise<PingSeries> {
  const probe = await machineProbe(context.world, host.machine);
  const result = await probe.exec(
    ['ping', '-n', '-c', String(count), '-i', '0.05', '-W', '5', target],
    { timeoutMs: 60_000 },
  );
  const rttsMs = [...result.stdout.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));
  return context.observe('ping-rtt', {
    target,
    sent: count,
    rttsMs,
    medianMs: median(rttsMs),
    lossPercent: (100 * (count - rttsMs.length)) / count,
  });
}

function udpLossOk(loss: UdpLoss): boolean {
  return loss.judged.ok && loss.control.ok && stackLossPercent(loss) <= thresholds.maxLossPercent;
}

function describeUdpTest(test: UdpLossResult): string {
  return test.ok
    ? `${test.lostPackets} of ${test.packets} lost (${test.lostPercent.toFixed(2)} %; machine backlog drops ${test.machineDrops}, receiver buffer drops ${test.receiverBufferDrops}, delay-line drops ${test.linkSimulatorDrops})`
    : `failed: ${test.detail}`;
}

/** A UDP loss pair in words: the host's test, the bare machine's, and any pair made void. */
function describeUdpLoss(loss: UdpLoss, preposition: 'from' | 'to'): string {
  const { judged, control, voided } = loss;
  const voidedNote =
    voided.length === 0
      ? ''
      : ` (after ${voided.length} pair(s) voided because the machine or the harness dropped packets: ${voided.map((v) => `host ${describeUdpTest(v.judged)}, bare ${describeUdpTest(v.control)}`).join('; ')})`;
  const added = judged.ok && control.ok ? stackLossPercent(loss).toFixed(2) : '?';
  return `iperf3 UDP ${preposition} the host ${describeUdpTest(judged)}; ${preposition} a bare machine of the zone ${describeUdpTest(control)}; the stack adds ${added} %${voidedNote}`;
}

function lastHop(path: MtrPath) {
  return path.hops.find((h) => h.address === path.target);
}

const checks: Check[] = [
  {
    name: 'latency-within-threshold',
    description: `The median round trip to the domestic site stays within ${thresholds.maxRttMs} ms (100 pings from the host)`,
    verify(history) {
      const pings = lastObservation<PingSeries>(history, 'ping-rtt').data;
      const ok = pings.rttsMs.length > 0 && pings.medianMs <= thresholds.maxRttMs;
      const observed =
        pings.rttsMs.length === 0
          ? `${pings.target} never answered`
          : `median ${pings.medianMs} ms over ${pings.rttsMs.length} replies`;
      return verdictOf(ok, observed, `${observed}, above ${thresholds.maxRttMs} ms`, {
        expected: `<= ${thresholds.maxRttMs} ms`,
        observed,
        evidence: [
          {
            source: `ping from the host's machine to ${pings.target}`,
            excerpt: pings.rttsMs.join(' '),
          },
        ],
      });
    },
  },
  {
    name: 'loss-within-threshold',
    description: `Packet loss to the domestic site stays within ${thresholds.maxLossPercent} %: what the stack adds to the loss of a bare machine of the zone on the same path (iperf3 UDP), and ping`,
    verify(history) {
      const loss = lastObservation<UdpLoss>(history, udpLossObservation.outbound).data;
      const pings = lastObservation<PingSeries>(history, 'ping-rtt').data;
      const ok = udpLossOk(loss) && pings.lossPercent <= thresholds.maxLossPercent;
      const observed = `${describeUdpLoss(loss, 'from')}; ping ${pings.lossPercent.toFixed(1)}% lost`;
      return verdictOf(ok, observed, observed, {
        expected: `<= ${thresholds.maxLossPercent} % lost by the stack (beyond the bare machine's loss), ping <= ${thresholds.maxLossPercent} %`,
        observed,
      });
    },
  },
  {
    name: 'inbound-loss-within-threshold',
    description: `Packet loss from the domestic site stays within ${thresholds.maxLossPercent} %: what the stack adds to the loss of a bare machine of the zone when the site sends (iperf3 UDP, reversed)`,
    verify(history) {
      const loss = lastObservation<UdpLoss>(history, udpLossObservation.inbound).data;
      const observed = describeUdpLoss(loss, 'to');
      return verdictOf(udpLossOk(loss), observed, observed, {
        expected: `<= ${thresholds.maxLossPercent} % lost by the stack (beyond the bare machine's loss)`,
        observed,
      });
    },
  },
  {
    name: 'path-stays-domestic',
    description:
      'The measurements reach the domestic site over domestic hops only: mtr shows no foreign hop and the border router forwarded nothing into the exchange',
    verify(history) {
      const path = lastObservation<MtrPath>(history, 'mtr-path').data;
      const border = lastObservation<BorderCrossings>(history, 'border-crossings').data;
      const hops = path.hops.map((h) => `${h.address} (${h.averageMs} ms)`).join(' > ');
      const crossed = border.afterPackets - border.beforePackets;
      const ok = lastHop(path) !== undefined && path.foreignHops.length === 0 && crossed === 0;
      const observed = `mtr ${hops}; ${border.router} forwarded ${crossed} packet(s) from ${border.from} into ${border.to} while measuring`;
      return verdictOf(ok, observed, `the path leaves the domestic network: ${observed}`, {
        expected: 'domestic hops only, 0 packets into the exchange',
        observed,
      });
    },
  },
  {
    name: 'link-delay-as-configured',
    description: `The sovereign link adds the configured ${sovereignLink.delayMs} ms each way: the round trip past its router grows by twice that`,
    verify(history) {
      const path = lastObservation<MtrPath>(history, 'mtr-path').data;
      const { mechanism } = lastObservation<{ mechanism: string }>(history, 'link-mechanism').data;
      const first = path.hops[0];
      const hop = lastHop(path);
      if (first === undefined || hop === undefined) {
        return verdictOf(
          false,
          '',
          `no round trip measured (path ${path.hops.map((h) => h.address).join(' > ')})`,
          {},
        );
      }
      // The fastest round trips: a delay line never delivers early, and what a busy machine's
      // scheduler adds on top shows in the average (latency-within-threshold), not here.
      const pings = lastObservation<PingSeries>(history, 'ping-rtt').data;
      const fastestMs = Math.min(hop.bestMs, ...pings.rttsMs);
      const addedMs = Math.round((fastestMs - first.bestMs) * 10) / 10;
      const askedMs = 2 * sovereignLink.delayMs;
      const ok = Math.abs(addedMs - askedMs) <= delayToleranceMs(askedMs);
      const observed = `${addedMs} ms added past ${first.address} (fastest round trips of mtr and ${pings.rttsMs.length} pings; median ${pings.medianMs} ms; asked ${askedMs} ms, mechanism ${mechanism})`;
      return verdictOf(ok, observed, observed, {
        expected: `${askedMs} ms +- ${delayToleranceMs(askedMs)} ms`,
        observed,
      });
    },
  },
];

const topology: TopologyInput = {
  zones: [networkZones.sovereign, networkZones.dc2, networkZones.exchange],
  services: [
    { name: 'metro', kind: 'router', zone: 'sovereign', legs: ['dc2'] },
    { name: 'edge', kind: 'router', zone: 'sovereign', legs: ['exchange'] },
    { name: 'carrier', kind: 'router', zone: 'exchange', legs: ['dc2'] },
    { name: 'dc2-app', kind: 'endpoint', zone: 'dc2', options: { tcpPorts: [443], iperf: true } },
  ],
  links: [
    { router: 'metro', zones: ['sovereign', 'dc2'], delayMs: sovereignLink.delayMs },
    { router: 'carrier', zones: ['exchange', 'dc2'], delayMs: exchangePathDelayMs },
  ],
  machines: [{ name: bareMachine, zone: 'sovereign', tags: ['no-stack'] }],
  hosts: [{ name: 'vm1', zone: 'sovereign' }],
};

/**
 * Latency and loss of a sovereign link: the domestic site is one delayed link away through the
 * metro router; the other way round, through the exchange and a carrier, is longer. Measured from
 * the host's machine with mtr (round trips, loss, path) and iperf3 (UDP loss and jitter).
 */
export default defineScenario({
  name: 'link-latency',
  description: `Across a sovereign link with ${sovereignLink.delayMs} ms delay, latency and loss stay within ${thresholds.maxRttMs} ms / ${thresholds.maxLossPercent} %`,
  needs: ['link-delay'],
  // What it asks of the stack is the egress section's: domestic destinations are accepted in
  // every protocol (ICMP for ping and mtr, UDP for iperf3) and carried as the link carries them,
  // without a detour, a shaper or a delay of the stack's (CONTRACT.md, "The network"). The
  // figures themselves are the world's links; the stack can only spoil them.
  sections: ['egress'],
  // Its loss and latency thresholds are measurements: beside other worlds, the host's path lost
  // 2 % of its UDP datagrams in CI while a bare machine on the same path lost none (the cause is
  // not found yet), so it runs alone, as egress-throughput does.
  measuresAlone: true,
  topology,
  async run(context) {
    const { world } = context;
    const vm = world.host('vm1');
    const endpoint = asEndpoint(world.sim('dc2-app'));
    const target = endpoint.address;
    await context.step('wait for the host', () => awaitNetworkControls(context.world, vm));
    context.observe('link-mechanism', {
      mechanism: world.topology.services.some((s) => s.name === 'metro')
        ? (world.sim('metro').facts.impairment ?? 'unknown')
        : 'no metro router',
      links: world
        .allSims()
        .filter((s) => s.kind === 'router')
        .map((s) => `${s.name}: ${s.facts.links ?? 'none'}`),
    });
    const edge = asRouter(world.sim('edge'));
    const beforePackets = await edge.crossed('sovereign', 'exchange');
    // First, so that a mutant judged by it alone stops here (stopAfterStep).
    await context.step(steps.inboundLoss, () => observeUdpLoss(context, vm, endpoint, 'inbound'));
    await context.step('measure round trips and the path with mtr', () =>
      observeMtr(context, vm, 'measured', target, domesticCidrs, 10),
    );
    await context.step('measure round trips with ping', () => observePings(context, vm, target));
    await context.step('measure loss and jitter with iperf3', () =>
      observeUdpLoss(context, vm, endpoint, 'outbound'),
    );
    context.observe('border-crossings', {
      router: edge.name,
      from: 'sovereign',
      to: 'exchange',
      beforePackets,
      afterPackets: await edge.crossed('sovereign', 'exchange'),
    } satisfies BorderCrossings);
  },
  checks,
  mutants: [
    {
      name: 'udp-flood-guard',
      description:
        'The stack guards against UDP floods by dropping whatever exceeds 300 datagrams a second to one destination: DNS never notices, a media or telemetry stream does',
      expectFailing: ['loss-within-threshold'],
      stackPatch: join(here, 'mutants', 'udp-flood-guard.patch'),
    },
    {
      name: 'inbound-udp-flood-guard',
      description:
        'The stack guards against inbound UDP floods (reflection attacks) by dropping whatever exceeds 300 datagrams a second from one source, before the rule for replies: a stream the host asked for loses its excess',
      expectFailing: ['inbound-loss-within-threshold'],
      stopAfterStep: steps.inboundLoss,
      stackPatch: join(here, 'mutants', 'inbound-udp-flood-guard.patch'),
    },
    {
      name: 'steered-through-exchange',
      description:
        'The domestic link is gone from the routing: traffic to the domestic site goes through the exchange and a carrier',
      expectFailing: [
        'latency-within-threshold',
        'path-stays-domestic',
        'link-delay-as-configured',
      ],
      topology: (input) => ({
        ...input,
        services: (input.services ?? []).filter((s) => s.name !== 'metro'),
        links: (input.links ?? []).filter((l) => l.router !== 'metro'),
      }),
    },
  ],
});
