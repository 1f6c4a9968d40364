import type { RunEnvironment } from '../scenario/environment.ts';
import { prepareWorldImages } from '../scenario/scenario-images.ts';
import { resolveTopology } from '../topology/topology-validator.ts';
import { silentLogger } from '../util/log.ts';
import { World } from '../world/world.ts';
import { knownSimKinds } from '../../sims/registry.ts';
import { round, timed } from './bench-stats.ts';
import type { Benchmark, BenchTable } from './benchmark.ts';
import { openBenchSession } from './bench-world.ts';

const hostCounts = [1, 3, 10];

function topologyOf(hosts: number) {
  return resolveTopology(
    {
      zones: [
        { name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.60.0.0/16'] },
      ],
      hosts: Array.from({ length: hosts }, (_, i) => ({ name: `vm${i + 1}`, zone: 'sovereign' })),
    },
    { knownServiceKinds: knownSimKinds() },
  );
}

async function memoryBytes(environment: RunEnvironment, sessionId: string): Promise<number> {
  const containers = await environment.engine.docker.listContainers({
    filters: { label: [`dev.sovh.session=${sessionId}`, 'dev.sovh.role=host'] },
  });
  const stats = await Promise.all(
    containers.map(
      async (c) =>
        (await environment.engine.docker.getContainer(c.Id).stats({ stream: false })) as {
          memory_stats: { usage?: number };
        },
    ),
  );
  return stats.reduce((sum, s) => sum + (s.memory_stats.usage ?? 0), 0);
}

/**
 * Bring-up and teardown of 1, 3 and 10 hosts (each a machine pod, its swtpm and the stack),
 * against a bare container run of the same host image with the same count as the baseline.
 */
const hostBringUp: Benchmark = {
  name: 'host-bring-up',
  description: 'time to bring up and tear down N hosts, against a bare run of the same image',
  async run(environment) {
    const rows: (string | number)[][] = [];
    const memoryRows: (string | number)[][] = [];
    for (const count of hostCounts) {
      const topology = topologyOf(count);
      const images = await prepareWorldImages(environment.images, topology, undefined);
      const session = await openBenchSession(environment, 'hosts');
      const up = await timed(() => World.bringUp({ session, topology, images, log: silentLogger }));
      // Give the stacks time to boot before reading their memory.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const memory = await memoryBytes(environment, session.id);
      const down = await timed(() => session.teardown());

      const bare = await openBenchSession(environment, 'baseline');
      const bareUp = await timed(() =>
        Promise.all(
          Array.from({ length: count }, (_, i) =>
            bare
              .container(images.host, `bare${i}`)
              .withCommand(['sleep', 'infinity'])
              .withInit()
              .start(),
          ),
        ),
      );
      const bareDown = await timed(() => bare.teardown());
      rows.push([count, round(bareUp.ms), round(up.ms), round(bareDown.ms), round(down.ms)]);
      memoryRows.push([count, round(memory / count / 2 ** 20)]);
    }
    const tables: BenchTable[] = [
      {
        title: 'hosts: bring-up and teardown (ms)',
        columns: ['hosts', 'bare docker run up', 'sovh world up', 'bare teardown', 'sovh teardown'],
        rows,
        note: 'baseline: N containers of the host image started with sleep; sovh: zone network, observer, N machine pods with swtpm, N booting stacks',
      },
      {
        title: 'hosts: memory per host (MiB, stack container only, 3 s after bring-up)',
        columns: ['hosts', 'MiB per host'],
        rows: memoryRows,
      },
    ];
    return tables;
  },
};

export default hostBringUp;
