import { iperfThroughput } from '../checks/probes/iperf-probe.ts';
import { softnetDrops } from '../checks/probes/kernel-drops.ts';
import type { StartedContainer } from '../runtime/started-container.ts';
import type { RunEnvironment } from '../scenario/environment.ts';
import type { TopologyInput } from '../topology/topology-schema.ts';
import { describeError } from '../util/sovh-error.ts';
import { asEndpoint } from '../../sims/endpoint/endpoint.ts';
import { round } from './bench-stats.ts';
import type { Benchmark, BenchTable } from './benchmark.ts';
import { openBenchSession, withBenchWorld } from './bench-world.ts';
import {
  microsecondsPerPacket,
  packetBytes,
  parseOpensslSpeed,
  parsePingRtts,
  parseSealRate,
  linkMtu,
  roundOrder,
  snmpCounter,
  roundRatios,
  spreadOf,
  withoutAesNi,
  type Spread,
} from './overlay-figures.ts';

const rounds = 5;
const secondsPerTest = 2;
const pingsPerRound = 20;
const sealRounds = 3;
const cipher = 'aes-256-gcm';

/**
 * The world of encapsulation-check without its hosts: two sites of the sovereign zone, each behind
 * a site router, joined by a VXLAN tunnel whose underlay crosses the exchange router; an iperf3
 * server on site B.
 */
const topology: TopologyInput = {
  zones: [
    { name: 'site-a', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.48.0.0/16'] },
    { name: 'site-b', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.49.0.0/16'] },
    { name: 'exchange-a', jurisdiction: 'NL', kind: 'exchange', cidrs: ['10.68.0.0/16'] },
    { name: 'exchange-b', jurisdiction: 'NL', kind: 'exchange', cidrs: ['10.69.0.0/16'] },
  ],
  services: [
    {
      name: 'gw-a',
      kind: 'router',
      zone: 'site-a',
      legs: ['exchange-a'],
      options: {
        vxlan: [
          {
            vni: 4242,
            local: 'site-a',
            peer: 'gw-b',
            remote: 'site-b',
            carries: ['10.49.0.0/16'],
          },
        ],
      },
    },
    {
      name: 'gw-b',
      kind: 'router',
      zone: 'site-b',
      legs: ['exchange-b'],
      options: {
        vxlan: [
          {
            vni: 4242,
            local: 'site-b',
            peer: 'gw-a',
            remote: 'site-a',
            carries: ['10.48.0.0/16'],
          },
        ],
      },
    },
    { name: 'ixp', kind: 'router', zone: 'exchange-a', legs: ['exchange-b'] },
    { name: 'server', kind: 'endpoint', zone: 'site-b', options: { iperf: true } },
  ],
};

/**
 * The paths to site B's server, each from a zone observer: the plain bridge of site B (the
 * baseline), routed from the exchange through the exchange router and site B's router with no
 * tunnel, and from site A through the tunnel (site A's router, the exchange router, site B's).
 */
interface PathSpec {
  key: string;
  zone: string;
  label: string;
}

const paths = [
  { key: 'bridge', zone: 'site-b', label: 'plain bridge (same site, baseline)' },
  { key: 'routed', zone: 'exchange-a', label: 'routed over the exchange, no tunnel' },
  { key: 'vxlan', zone: 'site-a', label: 'VXLAN between the sites' },
] as const satisfies readonly PathSpec[];
type PathKey = (typeof paths)[number]['key'];

/**
 * The stack's own sealing, one payload of `packetBytes` at a time for about a second, as its
 * envelope relay seals what leaves a host (residency.envelope.seal: AES-256-GCM through the
 * Python cryptography package, i.e. the image's OpenSSL).
 */
const sealLoop = `
import os, sys, time
sys.path.insert(0, "/usr/lib/residency")
from residency import envelope
class Key:
    key_id = "bench"
    def material(self):
        return bytes(range(32))
key, origin = Key(), {"zone": "site-a", "jurisdiction": "DE", "cell": None}
payload = os.urandom(${packetBytes})
seals, started = 0, time.perf_counter()
while time.perf_counter() - started < 1.0:
    for _ in range(100):
        envelope.seal(payload, key, origin)
    seals += 100
print(f"seals={seals} seconds={time.perf_counter() - started:.4f}")
`;

type Rates = { with: number[]; without: number[]; error?: string };

/** Alternates runs with AES-NI and with it masked; a run that gives no figure records why. */
async function alternate(
  aesNi: boolean,
  run: (env: string[]) => Promise<number | string>,
): Promise<Rates> {
  const rates: Rates = { with: [], without: [] };
  for (let i = 0; i < sealRounds; i += 1) {
    for (const masked of aesNi ? [false, true] : [true]) {
      const rate = await run(masked ? ['env', `OPENSSL_ia32cap=${withoutAesNi}`] : []);
      if (typeof rate === 'string') rates.error ??= rate;
      else (masked ? rates.without : rates.with).push(rate);
    }
  }
  return rates;
}

/** The last line of some output: where a tool or a Python traceback names what went wrong. */
function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .at(-1) ?? 'no output'
  );
}

/** AES-256-GCM on packets of `packetBytes` with `openssl speed`, in bytes per second. */
function opensslRates(observer: StartedContainer, aesNi: boolean): Promise<Rates> {
  return alternate(aesNi, async (env) => {
    const result = await observer.exec(
      [
        ...env,
        'openssl',
        'speed',
        '-mr',
        '-seconds',
        '1',
        '-bytes',
        String(packetBytes),
        '-evp',
        cipher,
      ],
      { timeoutMs: 30_000 },
    );
    return parseOpensslSpeed(result.stdout) ?? lastLine(`${result.stdout}\n${result.stderr}`);
  });
}

/** The stack's envelope sealing in a container of its image (no network), in seals per second. */
async function envelopeRates(environment: RunEnvironment, aesNi: boolean): Promise<Rates> {
  const session = await openBenchSession(environment, 'overlay-sealing');
  try {
    const sealer = await session
      .container(environment.stack.record.image, 'sealer')
      .withInit()
      .withEntrypoint(['sleep'])
      .withCommand(['infinity'])
      .withFile('/tmp/seal-loop.py', sealLoop)
      .start();
    return await alternate(aesNi, async (env) => {
      const result = await sealer.exec([...env, 'python3', '/tmp/seal-loop.py'], {
        timeoutMs: 30_000,
      });
      return parseSealRate(result.stdout) ?? lastLine(`${result.stdout}\n${result.stderr}`);
    });
  } catch (error) {
    return { with: [], without: [], error: describeError(error) };
  } finally {
    await session.teardown();
  }
}

const tunnelDevice = 'vx4242';

/** IP fragments the site routers made so far (FragCreates of /proc/net/snmp, summed). */
async function fragmentsCreated(routers: readonly StartedContainer[]): Promise<number> {
  let created = 0;
  for (const router of routers) {
    const snmp = await router.exec(['cat', '/proc/net/snmp'], { timeoutMs: 10_000 });
    created += snmpCounter(snmp.stdout, 'Ip', 'FragCreates') ?? Number.NaN;
  }
  return created;
}

interface PathSamples {
  mbits: number[];
  retransmits: number[];
  backlogDrops: number[];
  fragments: number[];
  rtts: number[];
  failures: string[];
}

async function measurePaths(
  environment: RunEnvironment,
  aesNi: boolean,
): Promise<{
  samples: Map<PathKey, PathSamples>;
  tunnelMtu: number | undefined;
  opensslRates: Rates;
}> {
  return withBenchWorld(environment, 'overlay', topology, async (world) => {
    const server = asEndpoint(world.sim('server')).address;
    const siteRouters = ['gw-a', 'gw-b'].map((name) => world.sim(name).container);
    const mtu = await siteRouters[0]?.exec(['ip', '-j', 'link', 'show', tunnelDevice]);
    const tunnelMtu = linkMtu(mtu?.stdout ?? '');
    const samples = new Map<PathKey, PathSamples>(
      paths.map((p) => [
        p.key,
        { mbits: [], retransmits: [], backlogDrops: [], fragments: [], rtts: [], failures: [] },
      ]),
    );
    // One exchange before measuring: the first packets over the tunnel meet cold neighbour and
    // route caches.
    for (const path of paths)
      await world.observer(path.zone).exec(['ping', '-n', '-c', '2', '-W', '2', server], {
        timeoutMs: 10_000,
      });
    for (let i = 0; i < rounds; i += 1) {
      environment.log.info(`overlay: round ${i + 1}/${rounds}`);
      for (const path of roundOrder<PathSpec>(paths, i)) {
        const from = world.observer(path.zone);
        const into = samples.get(path.key as PathKey);
        if (into === undefined) continue;
        const dropsBefore = await softnetDrops(from);
        const fragmentsBefore = await fragmentsCreated(siteRouters);
        const iperf = await iperfThroughput(from, server, secondsPerTest);
        into.backlogDrops.push((await softnetDrops(from)) - dropsBefore);
        into.fragments.push((await fragmentsCreated(siteRouters)) - fragmentsBefore);
        into.mbits.push(iperf.ok ? iperf.bitsPerSecond / 1e6 : Number.NaN);
        into.retransmits.push(iperf.ok ? iperf.retransmits : Number.NaN);
        if (!iperf.ok) into.failures.push(iperf.detail);
        const ping = await from.exec(
          ['ping', '-n', '-c', String(pingsPerRound), '-i', '0.02', '-W', '2', server],
          { timeoutMs: 30_000 },
        );
        into.rtts.push(...parsePingRtts(ping.stdout));
      }
    }
    const observer = world.observer('site-a');
    return { samples, tunnelMtu, opensslRates: await opensslRates(observer, aesNi) };
  });
}

const notMeasured = (why: string) => `not measured: ${why}`;
const fixed = (s: Spread | undefined, digits: number, pick: (s: Spread) => number) =>
  s === undefined ? '-' : round(pick(s), digits);

function pathTables(
  samples: Map<PathKey, PathSamples>,
  tunnelMtu: number | undefined,
): BenchTable[] {
  const of = (key: PathKey) =>
    samples.get(key) ?? {
      mbits: [],
      retransmits: [],
      backlogDrops: [],
      fragments: [],
      rtts: [],
      failures: [],
    };
  const bridge = of('bridge');
  const throughputRows = paths.map((p) => {
    const s = spreadOf(of(p.key).mbits);
    return [
      p.label,
      fixed(s, 0, (x) => x.median),
      fixed(s, 0, (x) => x.min),
      fixed(s, 0, (x) => x.max),
      fixed(spreadOf(of(p.key).retransmits), 0, (x) => x.median),
      fixed(spreadOf(of(p.key).backlogDrops), 0, (x) => x.median),
      fixed(spreadOf(of(p.key).fragments), 0, (x) => x.median),
      `${s?.count ?? 0}/${rounds}`,
    ];
  });
  const latencyRows = paths.map((p) => {
    const s = spreadOf(of(p.key).rtts);
    return [
      p.label,
      fixed(s, 3, (x) => x.median),
      fixed(s, 3, (x) => x.p10),
      fixed(s, 3, (x) => x.p90),
      `${s?.count ?? 0}/${rounds * pingsPerRound}`,
    ];
  });
  const ratio = (key: PathKey) => spreadOf(roundRatios(of(key).mbits, bridge.mbits));
  const added = (key: PathKey) => {
    const [m, b] = [spreadOf(of(key).rtts), spreadOf(bridge.rtts)];
    return m === undefined || b === undefined ? '-' : round(m.median - b.median, 3);
  };
  const failures = paths.flatMap((p) => of(p.key).failures.map((f) => `${p.key}: ${f}`));
  return [
    {
      title: `Overlay: iperf3 TCP throughput to site B's server (Mbit/s)`,
      columns: [
        'path',
        'median',
        'min',
        'max',
        'retransmits',
        'backlog drops',
        'fragments',
        'tests',
      ],
      rows: [
        ...throughputRows,
        ...(['routed', 'vxlan'] as const).map((key) => {
          const r = ratio(key);
          return [
            `ratio ${key}/bridge (per round)`,
            fixed(r, 3, (x) => x.median),
            fixed(r, 3, (x) => x.min),
            fixed(r, 3, (x) => x.max),
            '',
            '',
            '',
            `${r?.count ?? 0}/${rounds}`,
          ];
        }),
      ],
      note: `${rounds} rounds of ${secondsPerTest} s tests, the paths one after another in each round (order rotated), so that machine noise falls on all of them; retransmits and the machine kernel's receive-backlog drops (/proc/net/softnet_stat, every container's) are medians per test, fragments the IP fragments the site routers made (the underlay's, when a tunnelled packet does not fit); the tunnel device's MTU (kernel, gw-a): ${tunnelMtu ?? 'unknown'}${failures.length === 0 ? '' : `; failed: ${failures.join('; ')}`}`,
    },
    {
      title: "Overlay: ping round trip to site B's server (ms)",
      columns: ['path', 'median', 'p10', 'p90', 'replies'],
      rows: [
        ...latencyRows,
        ...(['routed', 'vxlan'] as const).map((key) => [
          `added over the bridge (${key}, medians)`,
          added(key),
          '',
          '',
          '',
        ]),
      ],
      note: `${pingsPerRound} pings 20 ms apart per path and round, after each throughput test`,
    },
  ];
}

function sealingTable(
  samples: Map<PathKey, PathSamples> | undefined,
  openssl: Rates,
  envelope: Rates,
  aesNi: boolean,
): BenchTable {
  const noAesFlag = 'the CPU has no aes flag';
  // A path's time per packet at its median throughput: what sealing adds to, per packet.
  const wire = (key: PathKey, label: string) => {
    const s = spreadOf(samples?.get(key)?.mbits ?? []);
    const perPacket = (mbits: number) => round((packetBytes * 8) / mbits, 2);
    return [
      label,
      s === undefined ? '-' : perPacket(s.median),
      s === undefined ? '-' : `${perPacket(s.max)}-${perPacket(s.min)}`,
      fixed(s, 0, (x) => x.median),
    ];
  };
  // A rate in packets of `packetBytes` from bytes/s (openssl) or seals/s (envelope).
  const sealRow = (
    label: string,
    rates: number[],
    error: string | undefined,
    unavailable: string | undefined,
    bytesPerUnit: number,
  ) => {
    const s = spreadOf(rates.map((r) => r * bytesPerUnit));
    if (unavailable !== undefined) return [label, notMeasured(unavailable), '', ''];
    if (s === undefined) return [label, notMeasured(error ?? 'no figure'), '', ''];
    const us = (bytesPerSecond: number) => round(microsecondsPerPacket(bytesPerSecond), 2);
    return [label, us(s.median), `${us(s.max)}-${us(s.min)}`, round((s.median * 8) / 1e6, 0)];
  };
  return {
    title: `Sealing cost per ${packetBytes}-byte packet (µs/packet; Mbit/s on one core)`,
    columns: ['what', 'µs/packet (median)', 'spread (min-max)', 'Mbit/s'],
    rows: [
      wire('bridge', 'plain bridge: wire time at its median throughput (baseline)'),
      wire('vxlan', 'VXLAN: wire time at its median throughput'),
      sealRow(
        `${cipher} (openssl speed), with AES-NI`,
        openssl.with,
        openssl.error,
        aesNi ? undefined : noAesFlag,
        1,
      ),
      sealRow(
        `${cipher} (openssl speed), without AES-NI`,
        openssl.without,
        openssl.error,
        undefined,
        1,
      ),
      sealRow(
        "the stack's envelope seal, with AES-NI",
        envelope.with,
        envelope.error,
        aesNi ? undefined : noAesFlag,
        packetBytes,
      ),
      sealRow(
        "the stack's envelope seal, without AES-NI",
        envelope.without,
        envelope.error,
        undefined,
        packetBytes,
      ),
    ],
    note: `CPU aes flag: ${aesNi ? 'yes' : 'no'}; "without AES-NI" is OPENSSL_ia32cap=${withoutAesNi} (AES-NI, PCLMULQDQ, VAES, VPCLMULQDQ hidden from OpenSSL); openssl speed runs in site A's observer, the envelope seal (residency.envelope.seal, Python over the same OpenSSL) in a container of the stack's image; ${sealRounds} alternating 1 s runs each; VXLAN itself seals nothing, so sealing is the stack's cost on top of the tunnel`,
  };
}

/**
 * The overlay between sovereign sites: iperf3 throughput and ping round trips through the VXLAN
 * tunnel of encapsulation-check's world against the plain bridge (and the same routers without
 * the tunnel), and what sealing a packet costs, with and without AES-NI. Figures only.
 */
const overlay: Benchmark = {
  name: 'overlay',
  description: `VXLAN between sites against the plain bridge (${rounds} rounds of iperf3 ${secondsPerTest} s and ${pingsPerRound} pings per path) and the sealing cost per packet with and without AES-NI`,
  async run(environment) {
    const aesNi =
      environment.capabilities.entries.find((e) => e.name === 'aes-ni')?.available ?? false;
    const vxlan = environment.capabilities.entries.find((e) => e.name === 'vxlan');
    let measured: Awaited<ReturnType<typeof measurePaths>> | undefined;
    if (vxlan?.available === true) measured = await measurePaths(environment, aesNi);
    environment.log.info('overlay: sealing with and without AES-NI');
    const envelope = await envelopeRates(environment, aesNi);
    const openssl = measured?.opensslRates ?? {
      with: [],
      without: [],
      error: 'vxlan missing (no world was brought up)',
    };
    const tables =
      measured === undefined
        ? [
            {
              title: 'Overlay: throughput and round trip through VXLAN',
              columns: ['path', 'figure'],
              rows: [['VXLAN between the sites', notMeasured('vxlan missing')]],
            },
          ]
        : pathTables(measured.samples, measured.tunnelMtu);
    return [...tables, sealingTable(measured?.samples, openssl, envelope, aesNi)];
  },
};

export default overlay;
