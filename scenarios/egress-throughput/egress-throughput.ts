import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { medianUpperBound } from '../../harness/checks/median-confidence.ts';
import {
  iperfThroughput,
  betterHalfMean,
  medianOf,
  type IperfResult,
} from '../../harness/checks/probes/iperf-probe.ts';
import { machineProbe } from '../../harness/checks/probes/machine-probe.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { fencedThroughputBound } from '../../harness/contract/egress-bounds.ts';
import { boundValue } from '../../harness/scenario/scenario-bounds.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { asEndpoint } from '../../sims/endpoint/endpoint.ts';
import { awaitNetworkControls } from '../network-world/network-evidence.ts';
import { networkZones } from '../network-world/network-zones.ts';

const here = dirname(fileURLToPath(import.meta.url));
/** The least share of the unfenced throughput the fenced host must keep, as the contract states. */
export const minimumRatio = fencedThroughputBound.contract;
/** Alternating rounds measured first, and the most measured when the first ones fall short. */
const rounds = 10;
const maximumRounds = 30;
const secondsPerTest = 2;
/** How sure the rounds must make the check that the fence costs more than the bound allows. */
export const confidence = 0.95;

interface ThroughputComparison {
  fenced: IperfResult[];
  unfenced: IperfResult[];
  /** Each round's fenced over unfenced throughput (the two tests run back to back). */
  roundRatios: number[];
  fencedUpperBps: number;
  unfencedUpperBps: number;
  fencedMedianBps: number;
  unfencedMedianBps: number;
  ratio: number;
  /** The distribution-free upper confidence bound of the rounds' median ratio (`confidence`). */
  ratioUpperBound: number;
}

const upperMean = (results: readonly IperfResult[]) =>
  betterHalfMean(results.map((r) => r.bitsPerSecond));

/**
 * The median of the rounds' own ratios. Each round runs the fenced and the unfenced test back to
 * back, so both see the machine as it is then; the fence's own cost is in every round. Statistics
 * of each side taken apart do not cancel a drift: in one CI run both sides fell from about 17 to
 * about 9 Gbit/s over the rounds (other work on the shared machine), the unfenced side had one
 * more high round early, and the ratio of the better halves read 0.914 while the rounds' own
 * ratios had their median at 0.953. Before that, the medians of each side had moved with the load
 * (0.929 and 1.042 on the same stack in two CI runs), and the single best round was no better.
 * The better halves and the medians stay in the verdict, for the reader.
 */
export function compareThroughput(
  fenced: IperfResult[],
  unfenced: IperfResult[],
): ThroughputComparison {
  const roundRatios = fenced.map(
    (f, i) => f.bitsPerSecond / Math.max(1, unfenced[i]?.bitsPerSecond ?? 0),
  );
  const fencedUpperBps = upperMean(fenced);
  const unfencedUpperBps = upperMean(unfenced);
  return {
    fenced,
    unfenced,
    roundRatios,
    fencedUpperBps,
    unfencedUpperBps,
    fencedMedianBps: medianOf(fenced.map((r) => r.bitsPerSecond)),
    unfencedMedianBps: medianOf(unfenced.map((r) => r.bitsPerSecond)),
    ratio: medianOf(roundRatios),
    ratioUpperBound: medianUpperBound(roundRatios, confidence),
  };
}

export type ThroughputFinding = 'within' | 'below' | 'undecided';

/**
 * Within: the median ratio meets the bound. Below: even the upper confidence bound of the median
 * misses it, so the fence costs more than the bound allows beyond the run's noise. Undecided: the
 * median is short, but not by more than the rounds' spread can explain; more rounds decide it,
 * and after the last round it passes as "not shown below the bound", with both figures given.
 * On this machine kind one round's ratio spreads by about 0.12 (standard deviation) with the
 * fence costing nothing measurable, so a median short of a 5 % bound is often noise alone: the
 * reference stack failed two CI runs of fourteen rounds at medians of 0.898 and 0.914.
 */
export function judgeThroughput(c: ThroughputComparison, bound: number): ThroughputFinding {
  if (c.ratio >= bound) return 'within';
  return c.ratioUpperBound < bound ? 'below' : 'undecided';
}

const mbit = (bps: number) => `${(bps / 1e6).toFixed(0)} Mbit/s`;

const checks: Check[] = [
  {
    name: 'throughput-ratio',
    description: `iperf3 throughput from the fenced host keeps at least ${minimumRatio} of the same path's throughput without a fence (a stack may tighten it); it fails when the rounds put the median ratio below that at ${confidence * 100} % confidence`,
    verify(history) {
      const c = lastObservation<ThroughputComparison>(history, 'throughput-comparison').data;
      const bound = boundValue(history, fencedThroughputBound);
      const failed = [...c.fenced, ...c.unfenced].filter((r) => !r.ok);
      const upper = Number.isFinite(c.ratioUpperBound) ? c.ratioUpperBound.toFixed(3) : 'none';
      const observed = `ratio ${c.ratio.toFixed(3)}, at most ${upper} at ${confidence * 100} % confidence (median of the ratios of ${c.fenced.length} alternating rounds, each fenced over unfenced back to back; better halves ${mbit(c.fencedUpperBps)} and ${mbit(c.unfencedUpperBps)}, medians ${mbit(c.fencedMedianBps)} and ${mbit(c.unfencedMedianBps)}; ${secondsPerTest} s tests)`;
      if (failed.length > 0)
        return verdictOf(false, '', `iperf3 failed: ${failed.map((f) => f.detail).join('; ')}`, {
          observed,
        });
      const finding = judgeThroughput(c, bound);
      const summary = {
        within: observed,
        undecided: `${observed}: the median is short of ${bound}, but not beyond the rounds' noise, so the fence is not shown to cost more than the bound allows`,
        below: `${observed}, below ${bound} beyond the rounds' noise`,
      }[finding];
      return verdictOf(finding !== 'below', summary, summary, {
        expected: `ratio >= ${bound}, or not below it at ${confidence * 100} % confidence`,
        observed,
        evidence: [
          {
            source: 'iperf3 from the fenced host (vm1)',
            excerpt: c.fenced.map((r) => mbit(r.bitsPerSecond)).join(', '),
          },
          {
            source: 'iperf3 from the bare machine',
            excerpt: c.unfenced.map((r) => mbit(r.bitsPerSecond)).join(', '),
          },
          {
            source: 'each round, fenced over unfenced',
            excerpt: c.roundRatios.map((r) => r.toFixed(3)).join(', '),
          },
        ],
      });
    },
  },
];

/**
 * What the egress fence costs: iperf3 from the fenced host to a domestic iperf3 server, against the
 * same test from a bare machine of the same zone (same network, same server, no stack, no fence),
 * alternating so that both see the same load. The ratio is the figure; the check holds it to a
 * threshold.
 */
export default defineScenario({
  name: 'egress-throughput',
  description: `iperf3 throughput with the full egress policy against the same path without it; ratio >= ${minimumRatio}`,
  needs: [],
  // The fence under test and its cost are both the egress section's (CONTRACT.md, "The network"):
  // a stack without it has no fence whose cost could be measured.
  sections: ['egress'],
  contractBounds: [fencedThroughputBound],
  measuresAlone: true,
  topology: {
    zones: [networkZones.sovereign],
    machines: [{ name: 'bare', zone: 'sovereign', tags: ['no-stack'] }],
    services: [
      {
        name: 'iperf-target',
        kind: 'endpoint',
        zone: 'sovereign',
        options: { tcpPorts: [443], iperf: true },
      },
    ],
    hosts: [{ name: 'vm1', zone: 'sovereign' }],
  },
  async run(context) {
    const { world } = context;
    const vm = world.host('vm1');
    const target = asEndpoint(world.sim('iperf-target')).address;
    await context.step('wait for the host to load its fence', () =>
      awaitNetworkControls(context.world, vm),
    );
    const [fencedProbe, bareProbe] = await Promise.all([
      machineProbe(world, vm.machine),
      machineProbe(world, world.machine('bare')),
    ]);
    const fenced: IperfResult[] = [];
    const unfenced: IperfResult[] = [];
    // Alternating rounds, so that a drift of the machine's load falls on both sides.
    const measureRounds = async (count: number) => {
      for (let round = 0; round < count; round += 1) {
        fenced.push(await iperfThroughput(fencedProbe, target, secondsPerTest));
        unfenced.push(await iperfThroughput(bareProbe, target, secondsPerTest));
      }
    };
    await context.step(`measure ${rounds} alternating rounds`, () => measureRounds(rounds));
    // A ratio short of the bound that the rounds' noise could explain gets more rounds before it
    // is judged, never a lower bound: a fence that costs throughput costs it in every round, so
    // the extra rounds narrow its interval below the bound instead of lifting it.
    if (
      judgeThroughput(
        compareThroughput(fenced, unfenced),
        boundValue(context.history, fencedThroughputBound),
      ) === 'undecided'
    )
      await context.step(`short of the bound: measure ${maximumRounds - rounds} more rounds`, () =>
        measureRounds(maximumRounds - rounds),
      );
    context.observe('throughput-comparison', compareThroughput(fenced, unfenced));
  },
  checks,
  mutants: [
    {
      name: 'egress-shaper-left-on',
      description: 'The stack leaves a 200 Mbit/s egress shaper on the host interface',
      expectFailing: ['throughput-ratio'],
      stackPatch: join(here, 'mutants', 'egress-shaper-left-on.patch'),
    },
    {
      name: 'egress-logs-every-packet',
      description:
        'The fence sends every domestic packet it accepts to the messages log (meant as one line per session, written without a state match): each one is copied to ulogd',
      expectFailing: ['throughput-ratio'],
      stackPatch: join(here, 'mutants', 'egress-logs-every-packet.patch'),
    },
  ],
});
