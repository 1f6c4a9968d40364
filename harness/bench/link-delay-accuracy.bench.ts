import { percentile, round } from './bench-stats.ts';
import type { Benchmark } from './benchmark.ts';
import { withBenchWorld } from './bench-world.ts';
import type { TopologyInput } from '../topology/topology-schema.ts';

const askedDelaysMs = [0, 5, 20, 50];
const pings = 50;

/** One zone per asked delay, each behind its own router from the measuring zone. */
function topology(): TopologyInput {
  return {
    zones: [
      { name: 'origin', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.40.0.0/16'] },
      ...askedDelaysMs.map((ms, i) => ({
        name: `delay${ms}`,
        jurisdiction: 'DE',
        kind: 'sovereign' as const,
        cidrs: [`10.${50 + i}.0.0/16`],
      })),
    ],
    services: askedDelaysMs.map((ms) => ({
      name: `link${ms}`,
      kind: 'router',
      zone: 'origin',
      legs: [`delay${ms}`],
    })),
    links: askedDelaysMs
      .filter((ms) => ms > 0)
      .map((ms) => ({
        router: `link${ms}`,
        zones: ['origin', `delay${ms}`] as [string, string],
        delayMs: ms,
      })),
  };
}

/**
 * How close the link delay comes to the delay asked for (netem, or the fallback that ran here):
 * pings from one zone's observer to the observers of zones behind links of 0, 5, 20 and 50 ms.
 * The 0 ms link is the baseline of the same path without a delay. Figures only.
 */
const linkDelayAccuracy: Benchmark = {
  name: 'link-delay-accuracy',
  description: `round trips across links of ${askedDelaysMs.join(', ')} ms against the asked delay (${pings} pings each)`,
  async run(environment) {
    return withBenchWorld(environment, 'link-delay-accuracy', topology(), async (world) => {
      const origin = world.observer('origin');
      const nodes = world.describe().nodes;
      const rtts = new Map<number, number[]>();
      for (const ms of askedDelaysMs) {
        const target = nodes.find((n) => n.name === `observer-delay${ms}`)?.address ?? '';
        environment.log.info(`link-delay-accuracy: ${pings} pings across the ${ms} ms link`);
        const result = await origin.exec(
          ['ping', '-n', '-c', String(pings), '-i', '0.05', target],
          { timeoutMs: 60_000 },
        );
        rtts.set(
          ms,
          [...result.stdout.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1])),
        );
      }
      const baseline = percentile(rtts.get(0) ?? [], 50);
      const mechanism = world.sim('link5').facts.impairment ?? 'unknown';
      return [
        {
          title: `Link delay (${mechanism}): round trip against twice the asked one-way delay (ms)`,
          columns: [
            'asked one-way',
            'replies',
            'RTT p50',
            'RTT p99',
            'added p50',
            'asked round trip',
            'error p50 %',
          ],
          rows: askedDelaysMs.map((ms) => {
            const values = rtts.get(ms) ?? [];
            const added = percentile(values, 50) - baseline;
            return [
              ms,
              values.length,
              round(percentile(values, 50), 2),
              round(percentile(values, 99), 2),
              round(added, 2),
              2 * ms,
              ms === 0 ? '' : round((100 * (added - 2 * ms)) / (2 * ms), 1),
            ];
          }),
          note: 'the 0 ms row is the same path with no delay (the baseline of "added"); pings every 50 ms from the origin zone observer',
        },
      ];
    });
  },
};

export default linkDelayAccuracy;
