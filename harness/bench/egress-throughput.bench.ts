import { betterHalfMean, iperfThroughput, medianOf } from '../checks/probes/iperf-probe.ts';
import { machineProbe } from '../checks/probes/machine-probe.ts';
import { waitUntil } from '../util/wait-until.ts';
import { asEndpoint } from '../../sims/endpoint/endpoint.ts';
import { round } from './bench-stats.ts';
import type { Benchmark } from './benchmark.ts';
import { withBenchWorld } from './bench-world.ts';

const rounds = 7;
const secondsPerTest = 2;

/**
 * What the egress fence costs in throughput: iperf3 from a fenced host and from a bare machine of
 * the same zone (no stack) to the same domestic iperf3 server, alternating. Figures only.
 */
const egressThroughput: Benchmark = {
  name: 'egress-throughput',
  description: `iperf3 TCP throughput with and without the egress policy (${rounds} alternating ${secondsPerTest} s tests)`,
  async run(environment) {
    return withBenchWorld(
      environment,
      'egress-throughput',
      {
        zones: [
          { name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.40.0.0/16'] },
        ],
        machines: [{ name: 'bare', zone: 'sovereign' }],
        services: [
          { name: 'iperf-target', kind: 'endpoint', zone: 'sovereign', options: { iperf: true } },
        ],
        hosts: [{ name: 'vm1', zone: 'sovereign' }],
      },
      async (world) => {
        const vm = world.host('vm1');
        await waitUntil(
          async () =>
            (await vm.container.logs(300)).includes('egress fence loaded') ? true : undefined,
          {
            what: 'the egress fence of vm1',
            expected: 'loaded',
            timeoutMs: 60_000,
          },
        );
        const target = asEndpoint(world.sim('iperf-target')).address;
        const [fenced, bare] = await Promise.all([
          machineProbe(world, vm.machine),
          machineProbe(world, world.machine('bare')),
        ]);
        const samples = { fenced: [] as number[], bare: [] as number[] };
        for (let i = 0; i < rounds; i += 1) {
          environment.log.info(`egress-throughput: round ${i + 1}/${rounds}`);
          samples.fenced.push(
            (await iperfThroughput(fenced, target, secondsPerTest)).bitsPerSecond / 1e6,
          );
          samples.bare.push(
            (await iperfThroughput(bare, target, secondsPerTest)).bitsPerSecond / 1e6,
          );
        }
        const row = (label: string, values: number[]) => [
          label,
          round(medianOf(values), 0),
          round(Math.min(...values), 0),
          round(Math.max(...values), 0),
        ];
        return [
          {
            title: 'Egress fence: iperf3 TCP throughput to a domestic server (Mbit/s)',
            columns: ['path', 'median', 'min', 'max'],
            rows: [
              row('without policy (bare machine)', samples.bare),
              row('with the full egress policy', samples.fenced),
              [
                'ratio (the statistic before: medians)',
                round(medianOf(samples.fenced) / medianOf(samples.bare), 3),
                '',
                '',
              ],
              [
                'ratio (best rounds)',
                '',
                '',
                round(Math.max(...samples.fenced) / Math.max(...samples.bare), 3),
              ],
              [
                'ratio (the statistic judged: means of the better halves)',
                round(betterHalfMean(samples.fenced) / betterHalfMean(samples.bare), 3),
                '',
                '',
              ],
            ],
            note: `same zone network and server; ${rounds} alternating ${secondsPerTest} s tests as egress-throughput runs them, so both paths see the same machine load; run it beside other work (npm run bench while the suite runs) to see how each ratio moves with load`,
          },
        ];
      },
    );
  },
};

export default egressThroughput;
