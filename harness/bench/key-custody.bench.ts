import { awaitServing } from '../checks/probes/serving-probe.ts';
import { hsmOf, kmsOf } from '../checks/probes/custody-evidence.ts';
import type { RunEnvironment } from '../scenario/environment.ts';
import { prepareWorldImages } from '../scenario/scenario-images.ts';
import { storePort } from '../contract/site-file.ts';
import { resolveTopology } from '../topology/topology-validator.ts';
import { silentLogger } from '../util/log.ts';
import { World } from '../world/world.ts';
import { knownSimKinds } from '../../sims/registry.ts';
import { percentile, round } from './bench-stats.ts';
import type { Benchmark, BenchTable } from './benchmark.ts';
import { openBenchSession } from './bench-world.ts';

const objectBytes = 1024 * 1024;
const objectCount = 48;
const kmipGets = 200;
const hsmUnwraps = 100;

/** Writes then reads objects through the store API from the observer; prints MB/s of each. */
const throughputScript = String.raw`
import http.client, json, os, sys, time
address, port, size, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
payload = os.urandom(size)
c = http.client.HTTPConnection(address, port, timeout=30)
def run(method, body):
    started = time.perf_counter()
    for i in range(count):
        c.request(method, f"/objects/bench-{i}", body=body)
        r = c.getresponse(); r.read()
        if r.status not in (200, 201): sys.exit(f"{method} answered {r.status}")
    return size * count / (time.perf_counter() - started) / 1e6
print(json.dumps({"writeMBps": run("PUT", payload), "readMBps": run("GET", None)}))
`;

/** `openssl speed -evp aes-256-gcm` at 16 KiB blocks, in MB/s (openssl prints kB/s as "...k"). */
function parseOpensslSpeed(output: string): number {
  const row = output.split('\n').find((line) => /^AES-256-GCM\s/i.test(line.trim()));
  const last = row?.trim().split(/\s+/).pop() ?? '';
  const kiloBytes = Number(last.replace(/k$/, ''));
  return kiloBytes / 1000;
}

/**
 * Store throughput with encryption (from a client on the zone network) against the machine's
 * single-core AES-256-GCM limit, and the latency of the two key operations behind it: a KMIP Get
 * and an HSM unwrap through p11-kit's RPC.
 */
const keyCustody: Benchmark = {
  name: 'key-custody',
  description: 'store throughput against openssl speed; KMIP Get and HSM unwrap latency',
  async run(environment: RunEnvironment) {
    const topology = resolveTopology(
      {
        zones: [
          { name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.61.0.0/16'] },
        ],
        cells: [{ name: 'cell-a', zone: 'sovereign' }],
        services: [
          { name: 'kms', kind: 'kms', zone: 'sovereign', cell: 'cell-a' },
          { name: 'hsm-a', kind: 'hsm', zone: 'sovereign', cell: 'cell-a' },
        ],
        hosts: [{ name: 'vm1', zone: 'sovereign', cell: 'cell-a' }],
      },
      { knownServiceKinds: knownSimKinds() },
    );
    const images = await prepareWorldImages(environment.images, topology, undefined);
    const session = await openBenchSession(environment, 'key-custody');
    try {
      const world = await World.bringUp({ session, topology, images, log: silentLogger });
      const vm = world.host('vm1');
      await awaitServing(world, vm, 180_000);
      environment.log.info('key-custody: openssl speed and store throughput');
      const speed = await vm.container.run(
        ['openssl', 'speed', '-evp', 'aes-256-gcm', '-seconds', '3', '-bytes', '16384'],
        { timeoutMs: 60_000 },
      );
      const store = await world
        .observer('sovereign')
        .run(
          [
            'python3',
            '-c',
            throughputScript,
            vm.address,
            String(storePort),
            String(objectBytes),
            String(objectCount),
          ],
          { timeoutMs: 300_000 },
        );
      const { writeMBps, readMBps } = JSON.parse(store.stdout) as {
        writeMBps: number;
        readMBps: number;
      };
      environment.log.info('key-custody: KMIP Get and HSM unwrap latency');
      const kms = kmsOf(world, 'kms');
      const [dataKey] = await kms.listKeys('vm1');
      const kmip = dataKey === undefined ? [] : await kms.benchGet('vm1', dataKey.uid, kmipGets);
      const unwrap = await hsmOf(world, 'hsm-a').benchUnwrap(hsmUnwraps);
      const tables: BenchTable[] = [
        {
          title: 'store throughput with encryption (MB/s)',
          columns: [
            'openssl speed -evp aes-256-gcm (16 KiB, one core)',
            'store PUT (1 MiB objects)',
            'store GET',
          ],
          rows: [[round(parseOpensslSpeed(speed.stdout)), round(writeMBps), round(readMBps)]],
          note: `baseline: the same machine's AES-256-GCM limit on one core, measured in the host container; store: ${objectCount} objects over HTTP from the zone observer`,
        },
        {
          title: 'key operations (ms)',
          columns: ['operation', 'samples', 'p50', 'p99'],
          rows: [
            [
              'KMIP Get (mutual TLS, one connection)',
              kmip.length,
              round(percentile(kmip, 50), 2),
              round(percentile(kmip, 99), 2),
            ],
            [
              'HSM unwrap (RFC 3394, p11-kit RPC)',
              unwrap.length,
              round(percentile(unwrap, 50), 2),
              round(percentile(unwrap, 99), 2),
            ],
          ],
          note: 'KMIP Get by the harness client on the KMS; unwrap of a 32-byte key from a client on the HSM socket, as a host does it',
        },
      ];
      return tables;
    } finally {
      await session.teardown();
    }
  },
};

export default keyCustody;
