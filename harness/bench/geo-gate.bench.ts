import { awaitServing } from '../checks/probes/serving-probe.ts';
import { tcpConnect } from '../checks/probes/tcp-probe.ts';
import { prepareWorldImages } from '../scenario/scenario-images.ts';
import { resolveTopology } from '../topology/topology-validator.ts';
import { silentLogger } from '../util/log.ts';
import { waitUntil } from '../util/wait-until.ts';
import { World } from '../world/world.ts';
import { knownSimKinds } from '../../sims/registry.ts';
import { asSovereignApi, sovereignApiPort } from '../../sims/sovereign-api/sovereign-api.ts';
import { percentile, round } from './bench-stats.ts';
import type { Benchmark, BenchTable } from './benchmark.ts';
import { openBenchSession } from './bench-world.ts';

const requests = 200;
const warmUp = 10;
const gatePort = 9443;
const backend = 'api-backend';

const topology = () =>
  resolveTopology(
    {
      zones: [
        { name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.66.0.0/16'] },
      ],
      services: [
        { name: backend, kind: 'sovereign-api', zone: 'sovereign', options: { gateBackend: true } },
      ],
      hosts: [{ name: 'gate1', zone: 'sovereign' }],
    },
    { knownServiceKinds: knownSimKinds() },
  );

interface Sample {
  path: 'gate' | 'direct';
  connectMs: number;
  handshakeMs: number;
  totalMs: number;
}

/** Interleaved requests, so that both paths see the same load on the machine. */
function loopScript(gateAddress: string, backendAddress: string, count: number): string {
  const curl = (label: string, target: string) =>
    `curl -s -o /dev/null --cacert /tmp/backend-ca.pem --connect-to ${backend}:443:${target} -w "${label} %{time_connect} %{time_appconnect} %{time_total}\\n" https://${backend}/`;
  return `for i in $(seq ${count}); do ${curl('gate', `${gateAddress}:${gatePort}`)}; ${curl('direct', `${backendAddress}:${sovereignApiPort}`)}; done`;
}

function parseSamples(output: string): Sample[] {
  return output
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => (f[0] === 'gate' || f[0] === 'direct') && f.length === 4)
    .map((f) => ({
      path: f[0] as Sample['path'],
      connectMs: Number(f[1]) * 1000,
      handshakeMs: Number(f[2]) * 1000,
      totalMs: Number(f[3]) * 1000,
    }));
}

/**
 * The latency the GeoIP gate adds: HTTPS requests from the zone's observer to a sovereign API,
 * through the host's gate (HAProxy, GeoIP lookup of both ends, PROXY protocol to the backend) and
 * directly, interleaved in one run. Figures only.
 */
const geoGateLatency: Benchmark = {
  name: 'geo-gate-latency',
  description: `added latency of the GeoIP gate against a direct connection (${requests} HTTPS requests each)`,
  async run(environment) {
    const resolved = topology();
    const images = await prepareWorldImages(environment.images, resolved, undefined);
    const session = await openBenchSession(environment, 'geo-gate');
    try {
      const world = await World.bringUp({ session, topology: resolved, images, log: silentLogger });
      const gate = world.host('gate1');
      const api = asSovereignApi(world.sim(backend));
      const observer = world.observer('sovereign');
      await awaitServing(world, gate);
      await waitUntil(
        async () =>
          (await tcpConnect(observer, gate.address, gatePort, 2)).connected ? true : undefined,
        {
          what: 'the GeoIP gate',
          expected: 'accepting connections',
          timeoutMs: 60_000,
        },
      );
      await observer.writeFile('/tmp/backend-ca.pem', api.caCertificate);
      await observer.run(['sh', '-c', loopScript(gate.address, api.address, warmUp)], {
        timeoutMs: 120_000,
      });
      environment.log.info(
        `geo-gate-latency: ${requests} requests through the gate and ${requests} direct`,
      );
      const run = await observer.run(
        ['sh', '-c', loopScript(gate.address, api.address, requests)],
        { timeoutMs: 600_000 },
      );
      const samples = parseSamples(run.stdout);
      const rows: (string | number)[][] = (['direct', 'gate'] as const).map((path) => {
        const of = samples.filter((s) => s.path === path);
        const figure = (pick: (s: Sample) => number, p: number) =>
          round(percentile(of.map(pick), p), 2);
        return [
          path,
          of.length,
          figure((s) => s.connectMs, 50),
          figure((s) => s.handshakeMs, 50),
          figure((s) => s.totalMs, 50),
          figure((s) => s.totalMs, 99),
        ];
      });
      const total = (path: Sample['path'], p: number) =>
        percentile(
          samples.filter((s) => s.path === path).map((s) => s.totalMs),
          p,
        );
      rows.push([
        'added by the gate',
        '',
        '',
        '',
        round(total('gate', 50) - total('direct', 50), 2),
        round(total('gate', 99) - total('direct', 99), 2),
      ]);
      const table: BenchTable = {
        title: 'GeoIP gate: HTTPS request latency through the gate and direct (ms)',
        columns: ['path', 'requests', 'TCP connect p50', 'TLS done p50', 'total p50', 'total p99'],
        rows,
        note: 'curl timings from the zone observer, one new connection per request, TLS 1.3 to the same nginx backend; the gate is HAProxy with the GeoIP check of both ends and the PROXY protocol',
      };
      return [table];
    } finally {
      await session.teardown();
    }
  },
};

export default geoGateLatency;
